-- One PostgreSQL server, one database and one login role per service (docker-compose.yml).
--
-- The postgres image runs this once, on an empty data volume, as the superuser.
-- Passwords come from the container's environment (psql's \getenv, PostgreSQL 15+):
-- IDENTITY_DB_PASSWORD, CATALOG_DB_PASSWORD, ... An unset one stops the script.
-- It is idempotent, so after adding a service (its block below and its password in
-- the postgres container's environment) run it again on the existing volume:
--
--   docker compose exec -T postgres psql -v ON_ERROR_STOP=1 -U postgres \
--       -f /docker-entrypoint-initdb.d/10-score.sql
--
-- Each role owns its database and only its database: PUBLIC may not connect, so a
-- service's credentials open no other service's data.

\set ON_ERROR_STOP on

-- ---------------------------------------------------------------- identity
\getenv password IDENTITY_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'IDENTITY_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'identity', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'identity') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'identity', :'password') \gexec
SELECT 'CREATE DATABASE identity OWNER identity'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'identity') \gexec
REVOKE ALL ON DATABASE identity FROM PUBLIC;
\unset password

-- ---------------------------------------------------------------- catalog
\getenv password CATALOG_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'CATALOG_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'catalog', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'catalog') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'catalog', :'password') \gexec
SELECT 'CREATE DATABASE catalog OWNER catalog'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'catalog') \gexec
REVOKE ALL ON DATABASE catalog FROM PUBLIC;
\unset password

-- ---------------------------------------------------------------- enrolment
\getenv password ENROLMENT_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'ENROLMENT_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'enrolment', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'enrolment') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'enrolment', :'password') \gexec
SELECT 'CREATE DATABASE enrolment OWNER enrolment'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'enrolment') \gexec
REVOKE ALL ON DATABASE enrolment FROM PUBLIC;
\unset password

-- ---------------------------------------------------------------- sponsorship
\getenv password SPONSORSHIP_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'SPONSORSHIP_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'sponsorship', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sponsorship') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'sponsorship', :'password') \gexec
SELECT 'CREATE DATABASE sponsorship OWNER sponsorship'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sponsorship') \gexec
REVOKE ALL ON DATABASE sponsorship FROM PUBLIC;
\unset password

-- ---------------------------------------------------------------- certification
\getenv password CERTIFICATION_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'CERTIFICATION_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'certification', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'certification') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'certification', :'password') \gexec
SELECT 'CREATE DATABASE certification OWNER certification'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'certification') \gexec
REVOKE ALL ON DATABASE certification FROM PUBLIC;
\unset password

-- ---------------------------------------------------------------- audit
\getenv password AUDIT_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'AUDIT_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'audit', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'audit') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'audit', :'password') \gexec
SELECT 'CREATE DATABASE audit OWNER audit'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'audit') \gexec
REVOKE ALL ON DATABASE audit FROM PUBLIC;
\unset password

-- ---------------------------------------------------------------- portal
\getenv password PORTAL_DB_PASSWORD
\if :{?password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'PORTAL_DB_PASSWORD is not set'; END $$;
\endif
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'portal', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'portal', :'password') \gexec
SELECT 'CREATE DATABASE portal OWNER portal'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'portal') \gexec
REVOKE ALL ON DATABASE portal FROM PUBLIC;
\unset password
