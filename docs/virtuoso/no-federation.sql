-- Keep Virtuoso from contacting other hosts on behalf of anonymous SPARQL users (the account
-- `server.py --store` queries as). Run as dba:   isql-vt 1111 dba PASSWORD no-federation.sql
-- Debian's virtuoso-opensource 7.2 ships with federation already off for "SPARQL"; this makes
-- sure no earlier "enable federated query" recipe left it on. "does not have granted role"
-- or "no privilege" errors only mean that switch was already off.

-- SERVICE: the remote-invocation view and procedure behind every SERVICE clause
REVOKE SELECT ON DB.DBA.SPARQL_SINV_2 FROM "SPARQL";
REVOKE EXECUTE ON DB.DBA.SPARQL_SINV_IMP FROM "SPARQL";
REVOKE "SPARQL_LOAD_SERVICE_DATA" FROM "SPARQL";
-- the Sponger: FROM <http://...> with `define get:soft` fetches the named document
REVOKE "SPARQL_SPONGE" FROM "SPARQL";
-- LOAD and every other update
REVOKE "SPARQL_UPDATE" FROM "SPARQL";
