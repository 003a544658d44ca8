-- 季度公开报告: a region's figures of a quarter as published to residents. The figures are
-- frozen at publishing, so the page reads the same however cases move afterwards;
-- publishing the quarter again adds a new version and keeps the earlier ones.
CREATE TABLE public_reports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_id     bigint NOT NULL REFERENCES regions (id),
    region_path   text COLLATE "C" NOT NULL,
    year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    quarter       integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    version       integer NOT NULL CHECK (version >= 1),
    -- What staff chose to publish: the case figures, the key areas, the survey.
    sections      text[] NOT NULL CHECK (
                      cardinality(sections) >= 1
                      AND sections <@ ARRAY['reports', 'areas', 'survey']::text[]),
    survey_id     bigint REFERENCES surveys (id),
    figures       jsonb NOT NULL,
    published_by  bigint NOT NULL REFERENCES users (id),
    published_at  timestamptz NOT NULL,
    UNIQUE (region_id, year, quarter, version)
);
CREATE INDEX public_reports_region_idx ON public_reports (region_path, published_at DESC);
