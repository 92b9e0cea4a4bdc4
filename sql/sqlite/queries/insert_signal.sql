-- insert_signal: publish a signal to the other processes on this file (in the transaction
-- of the change it announces).
-- ?1 text origin (this process)  ?2 integer now (ms)  ?3 text the StorageSignal as JSON
-- Returns nothing.
INSERT INTO signals (origin, at, payload) VALUES (?1, ?2, ?3)
