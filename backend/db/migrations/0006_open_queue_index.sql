-- The dispatcher's queue reads open cases by deadline: one small index holds exactly those,
-- in the queue's own order, with the columns its scope check needs.
CREATE INDEX cases_open_queue_idx ON cases ((coalesce(due_at, 'infinity'::timestamptz)), id)
    INCLUDE (status, region_path, assigned_path, confidential, department_id)
    WHERE status IN ('submitted', 'dispatched', 'accepted', 'resolved');
