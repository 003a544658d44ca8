-- An app answer and its device's mark are written by one transaction, so until they are
-- re-written they share that transaction's id (xmin), and answers' ids and the marks' order
-- on disk follow the order they came in: whoever holds the mark key could tie a device to
-- its answer. So both are written `pending`, and once a survey holds a batch of pending app
-- answers (and when it closes) the batch is deleted and written anew: the answers in a random
-- order (new ids, the day of the re-writing) in one transaction, the marks in order of mark in
-- another. Within a batch no answer can then be tied to a mark. Readers count pending answers
-- like any other. Throttling counts are taken in transactions of their own, before the answer.
ALTER TABLE survey_respondents ADD COLUMN pending boolean NOT NULL DEFAULT false;
ALTER TABLE survey_answers ADD COLUMN pending boolean NOT NULL DEFAULT false;
CREATE INDEX survey_answers_pending_idx ON survey_answers (survey_id) WHERE pending;
CREATE INDEX survey_respondents_pending_idx ON survey_respondents (survey_id) WHERE pending;

-- App answers and marks written before this, re-written once the same way, all together.
WITH gone AS (
    DELETE FROM survey_answers WHERE channel = 'app'
    RETURNING survey_id, region_id, channel, grp, answers, entered_by, day
)
INSERT INTO survey_answers (survey_id, region_id, channel, grp, answers, entered_by, day)
SELECT survey_id, region_id, channel, grp, answers, entered_by, day FROM gone ORDER BY random();

WITH gone AS (DELETE FROM survey_respondents RETURNING survey_id, mark)
INSERT INTO survey_respondents (survey_id, mark)
SELECT survey_id, mark FROM gone ORDER BY survey_id, mark;
