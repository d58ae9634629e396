-- Write-behind cost per call (issue 11). Measured on 200 000 COPY rows of call_traces (bench/RESULTS.md,
-- "Write-behind cost per row"): jsonb + btree (call_id, ts, seq) 2.75 s, json + hash (call_id) 1.58 s.
--  * detail/decision are stored as json (text, validated) instead of jsonb: nothing queries inside them,
--    they are only read back whole, so the binary conversion on every insert bought nothing.
--  * GET /calls/{callId}/trace looks a call up by equality and sorts its handful of rows: a hash index
--    on call_id serves that with one small entry per row, where the btree on (text, timestamptz, bigint)
--    split pages all over for random Call-IDs.
DROP INDEX call_traces_call_id_ts_seq;
ALTER TABLE call_traces ALTER COLUMN detail TYPE json USING detail::json;
CREATE INDEX call_traces_call_id ON call_traces USING hash (call_id);
ALTER TABLE call_records ALTER COLUMN decision TYPE json USING decision::json;
