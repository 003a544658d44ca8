-- One survey mechanism: 安全感 questionnaires and a key area's 验收 both collect answers here.

-- A questionnaire scoped to a region subtree or to a place (a key area). `questions` is a
-- list of {key, kind, zh, en, options?, standard?}: `standard` marks the items the indices
-- read (safety, satisfaction, awareness, support).
CREATE TABLE surveys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose      text NOT NULL CHECK (purpose IN ('safety', 'acceptance')),
    region_id    bigint NOT NULL REFERENCES regions (id),
    region_path  text COLLATE "C" NOT NULL,
    place_id     bigint REFERENCES places (id),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    title_en     text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
    questions    jsonb NOT NULL,
    channels     text[] NOT NULL DEFAULT '{app,visit,phone,forum}',
    state        text NOT NULL DEFAULT 'draft'
                 CHECK (state IN ('draft', 'open', 'closed', 'published')),
    opens_on     date NOT NULL,
    closes_on    date NOT NULL,
    created_by   bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    opened_at    timestamptz,
    closed_at    timestamptz,
    published_at timestamptz,
    CHECK (closes_on >= opens_on)
);
CREATE INDEX surveys_scope_idx ON surveys (region_path, state);
CREATE INDEX surveys_place_idx ON surveys (place_id) WHERE place_id IS NOT NULL;

-- Answers carry no device and no person: only the channel, the group at a 座谈会, the day.
CREATE TABLE survey_answers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id   bigint NOT NULL REFERENCES surveys (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    channel     text NOT NULL CHECK (channel IN ('app', 'visit', 'phone', 'forum')),
    grp         text CHECK (grp IN ('resident', 'informant', 'victim')),
    answers     jsonb NOT NULL,
    entered_by  bigint REFERENCES users (id),
    day         date NOT NULL
);
CREATE INDEX survey_answers_survey_idx ON survey_answers (survey_id);

-- One answer per device per survey, without storing which device: a keyed hash of (survey,
-- device) that only the server's secret can make, kept apart from the answer (no key, no
-- time in common), so an answer cannot be traced back to a device.
CREATE TABLE survey_respondents (
    survey_id  bigint NOT NULL REFERENCES surveys (id),
    mark       bytea NOT NULL,
    PRIMARY KEY (survey_id, mark)
);
