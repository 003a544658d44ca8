-- Statistics and the heat map start from the cases received in a period: one range scan on
-- the time of receipt, whatever the region (a district's quarter, the map's last 30 days).
CREATE INDEX cases_created_idx ON cases (created_at);
