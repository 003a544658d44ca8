-- A batch of answers staff enter is sent with an id made when the form was filled, so that a
-- batch sent again after a dropped answer (the server kept it, the desk never heard) is
-- counted once. Staff entries name their enterer already; this keeps no resident's data.
CREATE TABLE survey_entry_batches (
    entered_by  bigint NOT NULL REFERENCES users (id),
    batch_id    uuid NOT NULL,
    survey_id   bigint NOT NULL REFERENCES surveys (id),
    region_id   bigint NOT NULL REFERENCES regions (id),
    entered     integer NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (entered_by, batch_id)
);
