-- qml schema for PostgreSQL, version 6: `args_field` (0003) is PARALLEL UNSAFE.
-- 0003 declared it PARALLEL SAFE, but its body has an EXCEPTION block (to read a field whose
-- text cannot be converted, like "\u0000", as NULL), and PL/pgSQL runs such a block as a
-- subtransaction, which a parallel worker may not start: the PostgreSQL manual requires any
-- function that changes the transaction state, even temporarily, to be marked PARALLEL
-- UNSAFE. A plan that ran it in a parallel worker would fail the search on the first row
-- that enters the block. Relabelling is a catalog change only.
ALTER FUNCTION {{schema}}.args_field(text, text) PARALLEL UNSAFE;
