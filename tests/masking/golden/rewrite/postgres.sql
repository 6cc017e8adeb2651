-- case: star_masked (user alice)
-- in: SELECT * FROM sales.customers
SELECT * FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: star_exempt_role (user bob)
-- in: SELECT * FROM sales.customers
SELECT * FROM (SELECT "id", "name", "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: column_list (user alice)
-- in: SELECT id, email, ssn FROM sales.customers
SELECT id, email, ssn FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: alias_and_where (user alice)
-- in: SELECT c.email FROM sales.customers AS c WHERE c.ssn LIKE '1%'
SELECT c.email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c WHERE c.ssn LIKE '1%';

-- case: fully_qualified_column (user alice)
-- in: SELECT sales.customers.email FROM sales.customers
SELECT customers.email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: join_with_row_filter_and_retention (user alice)
-- in: SELECT c.name, SUM(o.amount) AS total FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY total DESC
SELECT c.name, SUM(o.amount) AS total FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c JOIN (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS o ON o.customer_id = c.id GROUP BY c.name ORDER BY total DESC;

-- case: row_filter_not_for_other_role (user bob)
-- in: SELECT * FROM sales.orders
SELECT * FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS orders;

-- case: suggested_pii_masked (user alice)
-- in: SELECT ip, COUNT(*) FROM sales.web_events GROUP BY ip
SELECT ip, COUNT(*) FROM (SELECT "id", "customer_id", CAST(CASE WHEN "ip" IS NULL THEN NULL ELSE '***' END AS VARCHAR) AS "ip", "event_time" FROM "sales"."web_events") AS web_events GROUP BY ip;

-- case: cte (user alice)
-- in: WITH x AS (SELECT * FROM sales.customers) SELECT email FROM x
WITH x AS (SELECT * FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) SELECT email FROM x;

-- case: recursive_cte_over_table (user alice)
-- in: WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT r.n, c.email FROM r JOIN sales.customers c ON c.id = r.n
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT r.n, c.email FROM r JOIN (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c ON c.id = r.n;

-- case: derived_table (user alice)
-- in: SELECT t.email FROM (SELECT email FROM sales.customers) t
SELECT t.email FROM (SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) AS t;

-- case: scalar_subquery (user alice)
-- in: SELECT o.id, (SELECT c.email FROM sales.customers c WHERE c.id = o.customer_id) FROM sales.orders o
SELECT o.id, (SELECT c.email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c WHERE c.id = o.customer_id) FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS o;

-- case: in_subquery (user alice)
-- in: SELECT id FROM sales.orders WHERE customer_id IN (SELECT id FROM sales.customers WHERE email LIKE '%@example.com')
SELECT id FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS orders WHERE customer_id IN (SELECT id FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers WHERE email LIKE '%@example.com');

-- case: exists_subquery (user alice)
-- in: SELECT c.id FROM sales.customers c WHERE EXISTS (SELECT 1 FROM sales.orders o WHERE o.customer_id = c.id)
SELECT c.id FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c WHERE EXISTS(SELECT 1 FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS o WHERE o.customer_id = c.id);

-- case: union (user alice)
-- in: SELECT email FROM sales.customers UNION SELECT contact FROM sales.customer_emails
SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers UNION SELECT contact FROM (SELECT "id", "contact" FROM (SELECT id, email AS contact FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) AS _veil_view("id", "contact")) AS customer_emails;

-- case: intersect_except (user alice)
-- in: SELECT id FROM sales.customers INTERSECT SELECT customer_id FROM sales.orders EXCEPT SELECT customer_id FROM sales.web_events
SELECT id FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers INTERSECT SELECT customer_id FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS orders EXCEPT SELECT customer_id FROM (SELECT "id", "customer_id", CAST(CASE WHEN "ip" IS NULL THEN NULL ELSE '***' END AS VARCHAR) AS "ip", "event_time" FROM "sales"."web_events") AS web_events;

-- case: window_function (user alice)
-- in: SELECT email, ROW_NUMBER() OVER (PARTITION BY region ORDER BY created_at) AS rn FROM sales.customers
SELECT email, ROW_NUMBER() OVER (PARTITION BY region ORDER BY created_at) AS rn FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: lateral (user alice)
-- in: SELECT c.id, l.amount FROM sales.customers c, LATERAL (SELECT o.amount FROM sales.orders o WHERE o.customer_id = c.id LIMIT 1) l
SELECT c.id, l.amount FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c, LATERAL (SELECT o.amount FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' OFFSET 0) AS o WHERE o.customer_id = c.id LIMIT 1) AS l;

-- case: whole_row_reference (user alice)
-- in: SELECT row_to_json(c) FROM sales.customers c
SELECT ROW_TO_JSON(c) FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c;

-- case: whole_row_select (user alice)
-- in: SELECT c FROM sales.customers c
SELECT c FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c;

-- case: table_statement (user alice)
-- in: TABLE sales.customers
SELECT * FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: only_table (user alice)
-- in: SELECT email FROM ONLY sales.customers
SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM ONLY "sales"."customers") AS customers;

-- case: view_expanded (user alice)
-- in: SELECT * FROM sales.customer_emails
SELECT * FROM (SELECT "id", "contact" FROM (SELECT id, email AS contact FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) AS _veil_view("id", "contact")) AS customer_emails;

-- case: default_schema_unqualified (user alice)
-- in: SELECT email FROM customers
-- refused 42P01: relation "customers" is not in the Veil catalog

-- case: hidden_column_star_omitted (user alice)
-- in: SELECT * FROM hr.employees
SELECT * FROM (SELECT "id", "name" FROM "hr"."employees") AS employees;
-- notice: columns of hr.employees not shown to you: salary

-- case: hidden_column_refused (user alice)
-- in: SELECT name, salary FROM hr.employees
-- refused 42501: permission denied for column salary of hr.employees: denied by grant analyst → hr.employees.salary [select] (deny)

-- case: hidden_column_in_where_refused (user alice)
-- in: SELECT name FROM hr.employees WHERE salary > 5
-- refused 42501: permission denied for column salary of hr.employees: denied by grant analyst → hr.employees.salary [select] (deny)

-- case: no_grant_refused (user mallory)
-- in: SELECT id FROM sales.customers
-- refused 42501: permission denied for table sales.customers: user 'mallory' has no roles

-- case: unknown_table_refused (user alice)
-- in: SELECT * FROM sales.nope
-- refused 42P01: relation "sales.nope" is not in the Veil catalog

-- case: udf_refused (user alice)
-- in: SELECT myschema.leak(id) FROM sales.customers
-- refused 42501: permission denied for function myschema.leak: only built-in functions that cannot read other tables or the server's files may be called

-- case: admin_function_refused (user alice)
-- in: SELECT pg_read_file('/etc/passwd')
-- refused 42501: permission denied for function pg_read_file: only built-in functions that cannot read other tables or the server's files may be called

-- case: sleep_refused (user alice)
-- in: SELECT pg_sleep(10)
-- refused 42501: permission denied for function pg_sleep: only built-in functions that cannot read other tables or the server's files may be called

-- case: system_catalog_allowed (user alice)
-- in: SELECT relname FROM pg_catalog.pg_class
SELECT relname FROM (WITH _veil_relations(s, t, whole) AS (VALUES ('sales', 'customers', TRUE), ('sales', 'orders', TRUE), ('sales', 'web_events', TRUE), ('hr', 'employees', FALSE), ('sales', 'customer_emails', TRUE)), _veil_system_namespaces AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')), _veil_user_relations AS (SELECT c.oid, r.whole FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace JOIN _veil_relations AS r ON r.s = n.nspname AND r.t = c.relname), _veil_system_relations AS (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM _veil_system_namespaces)), _veil_whole AS (SELECT oid FROM _veil_system_relations UNION ALL SELECT oid FROM _veil_user_relations WHERE whole), _veil_visible AS (SELECT oid FROM _veil_whole UNION ALL SELECT oid FROM _veil_user_relations WHERE NOT whole UNION ALL SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid IN (SELECT oid FROM _veil_user_relations WHERE whole)) SELECT * FROM pg_catalog.pg_class WHERE oid IN (SELECT oid FROM _veil_visible)) AS pg_class;

-- case: information_schema_allowed (user alice)
-- in: SELECT table_name FROM information_schema.tables
SELECT table_name FROM (WITH _veil_relations(s, t, whole) AS (VALUES ('sales', 'customers', TRUE), ('sales', 'orders', TRUE), ('sales', 'web_events', TRUE), ('hr', 'employees', FALSE), ('sales', 'customer_emails', TRUE)) SELECT * FROM information_schema.tables WHERE (table_schema IN ('pg_catalog', 'information_schema') OR (table_schema, table_name) IN (SELECT s, t FROM _veil_relations))) AS tables;

-- case: catalog_columns_of_readable_tables (user alice)
-- in: SELECT a.attname FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = 'hr.employees'::regclass AND a.attnum > 0
SELECT a.attname FROM (WITH _veil_relations(s, t, whole) AS (VALUES ('sales', 'customers', TRUE), ('sales', 'orders', TRUE), ('sales', 'web_events', TRUE), ('hr', 'employees', FALSE), ('sales', 'customer_emails', TRUE)), _veil_columns(s, t, col) AS (VALUES ('sales', 'customers', 'id'), ('sales', 'customers', 'name'), ('sales', 'customers', 'email'), ('sales', 'customers', 'ssn'), ('sales', 'customers', 'region'), ('sales', 'customers', 'created_at'), ('sales', 'orders', 'id'), ('sales', 'orders', 'customer_id'), ('sales', 'orders', 'amount'), ('sales', 'orders', 'region'), ('sales', 'orders', 'ordered_at'), ('sales', 'web_events', 'id'), ('sales', 'web_events', 'customer_id'), ('sales', 'web_events', 'ip'), ('sales', 'web_events', 'event_time'), ('hr', 'employees', 'id'), ('hr', 'employees', 'name'), ('sales', 'customer_emails', 'id'), ('sales', 'customer_emails', 'contact')), _veil_system_namespaces AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')), _veil_user_relations AS (SELECT c.oid, r.whole FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace JOIN _veil_relations AS r ON r.s = n.nspname AND r.t = c.relname), _veil_system_relations AS (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM _veil_system_namespaces)), _veil_whole AS (SELECT oid FROM _veil_system_relations UNION ALL SELECT oid FROM _veil_user_relations WHERE whole), _veil_visible AS (SELECT oid FROM _veil_whole UNION ALL SELECT oid FROM _veil_user_relations WHERE NOT whole UNION ALL SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid IN (SELECT oid FROM _veil_user_relations WHERE whole)), _veil_attributes AS (SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a WHERE a.attrelid IN (SELECT oid FROM _veil_visible) AND NOT a.attrelid IN (SELECT oid FROM _veil_user_relations) UNION ALL SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace JOIN _veil_columns AS v ON v.s = n.nspname AND v.t = c.relname AND v.col = a.attname) SELECT * FROM pg_catalog.pg_attribute WHERE (attrelid, attnum) IN (SELECT attrelid, attnum FROM _veil_attributes)) AS a WHERE a.attrelid = CAST('hr.employees' AS REGCLASS) AND a.attnum > 0;

-- case: catalog_qualified_column (user alice)
-- in: SELECT pg_catalog.pg_namespace.nspname FROM pg_catalog.pg_namespace
SELECT pg_namespace.nspname FROM (WITH _veil_relations(s, t, whole) AS (VALUES ('sales', 'customers', TRUE), ('sales', 'orders', TRUE), ('sales', 'web_events', TRUE), ('hr', 'employees', FALSE), ('sales', 'customer_emails', TRUE)), _veil_columns(s, t, col) AS (VALUES ('sales', 'customers', 'id'), ('sales', 'customers', 'name'), ('sales', 'customers', 'email'), ('sales', 'customers', 'ssn'), ('sales', 'customers', 'region'), ('sales', 'customers', 'created_at'), ('sales', 'orders', 'id'), ('sales', 'orders', 'customer_id'), ('sales', 'orders', 'amount'), ('sales', 'orders', 'region'), ('sales', 'orders', 'ordered_at'), ('sales', 'web_events', 'id'), ('sales', 'web_events', 'customer_id'), ('sales', 'web_events', 'ip'), ('sales', 'web_events', 'event_time'), ('hr', 'employees', 'id'), ('hr', 'employees', 'name'), ('sales', 'customer_emails', 'id'), ('sales', 'customer_emails', 'contact')), _veil_system_namespaces AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')), _veil_user_relations AS (SELECT c.oid, r.whole FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace JOIN _veil_relations AS r ON r.s = n.nspname AND r.t = c.relname), _veil_system_relations AS (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM _veil_system_namespaces)), _veil_whole AS (SELECT oid FROM _veil_system_relations UNION ALL SELECT oid FROM _veil_user_relations WHERE whole), _veil_visible AS (SELECT oid FROM _veil_whole UNION ALL SELECT oid FROM _veil_user_relations WHERE NOT whole UNION ALL SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid IN (SELECT oid FROM _veil_user_relations WHERE whole)), _veil_attributes AS (SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a WHERE a.attrelid IN (SELECT oid FROM _veil_visible) AND NOT a.attrelid IN (SELECT oid FROM _veil_user_relations) UNION ALL SELECT a.attrelid, a.attnum FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace JOIN _veil_columns AS v ON v.s = n.nspname AND v.t = c.relname AND v.col = a.attname), _veil_namespaces AS (SELECT oid FROM _veil_system_namespaces UNION ALL SELECT relnamespace FROM pg_catalog.pg_class WHERE oid IN (SELECT oid FROM _veil_user_relations) UNION ALL SELECT t.typnamespace FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid WHERE a.attrelid IN (SELECT oid FROM _veil_user_relations) AND (a.attrelid, a.attnum) IN (SELECT attrelid, attnum FROM _veil_attributes)) SELECT * FROM pg_catalog.pg_namespace WHERE oid IN (SELECT oid FROM _veil_namespaces)) AS pg_namespace;

-- case: information_schema_columns_filtered (user alice)
-- in: SELECT column_name FROM information_schema.columns WHERE table_name = 'employees'
SELECT column_name FROM (WITH _veil_columns(s, t, col) AS (VALUES ('sales', 'customers', 'id'), ('sales', 'customers', 'name'), ('sales', 'customers', 'email'), ('sales', 'customers', 'ssn'), ('sales', 'customers', 'region'), ('sales', 'customers', 'created_at'), ('sales', 'orders', 'id'), ('sales', 'orders', 'customer_id'), ('sales', 'orders', 'amount'), ('sales', 'orders', 'region'), ('sales', 'orders', 'ordered_at'), ('sales', 'web_events', 'id'), ('sales', 'web_events', 'customer_id'), ('sales', 'web_events', 'ip'), ('sales', 'web_events', 'event_time'), ('hr', 'employees', 'id'), ('hr', 'employees', 'name'), ('sales', 'customer_emails', 'id'), ('sales', 'customer_emails', 'contact')) SELECT * FROM information_schema.columns WHERE (table_schema IN ('pg_catalog', 'information_schema') OR (table_schema, table_name, column_name) IN (SELECT s, t, col FROM _veil_columns))) AS columns WHERE table_name = 'employees';

-- case: catalog_without_names_passes (user alice)
-- in: SELECT proname FROM pg_proc
SELECT proname FROM pg_proc;

-- case: pg_statistic_ext_filtered_on_postgres (user alice)
-- in: SELECT stxname FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '16384'
SELECT stxname FROM (WITH _veil_relations(s, t, whole) AS (VALUES ('sales', 'customers', TRUE), ('sales', 'orders', TRUE), ('sales', 'web_events', TRUE), ('hr', 'employees', FALSE), ('sales', 'customer_emails', TRUE)), _veil_system_namespaces AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')), _veil_user_relations AS (SELECT c.oid, r.whole FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace JOIN _veil_relations AS r ON r.s = n.nspname AND r.t = c.relname), _veil_system_relations AS (SELECT oid FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM _veil_system_namespaces)), _veil_whole AS (SELECT oid FROM _veil_system_relations UNION ALL SELECT oid FROM _veil_user_relations WHERE whole) SELECT * FROM pg_catalog.pg_statistic_ext WHERE stxrelid IN (SELECT oid FROM _veil_whole)) AS pg_statistic_ext WHERE stxrelid = '16384';

-- case: pg_statistic_ext_data_refused (user alice)
-- in: SELECT * FROM pg_statistic_ext_data
-- refused 42501: permission denied for relation pg_statistic_ext_data: it exposes data values or other sessions' statements

-- case: pg_stats_refused (user alice)
-- in: SELECT * FROM pg_stats
-- refused 42501: permission denied for relation pg_stats: it exposes data values or other sessions' statements

-- case: pg_stat_statements_refused (user alice)
-- in: SELECT query FROM pg_stat_statements
-- refused 42501: permission denied for relation pg_stat_statements: it exposes data values or other sessions' statements

-- case: copy_refused (user alice)
-- in: COPY sales.customers TO STDOUT
-- refused 42501: COPY is refused: COPY bypasses query rewriting; run a SELECT instead

-- case: prepare_refused (user alice)
-- in: PREPARE p AS SELECT * FROM sales.customers
-- refused 42501: PREPARE is refused: PREPARE of SQL text is not enforced; use the extended protocol (Parse/Bind)

-- case: execute_refused (user alice)
-- in: EXECUTE p
-- refused 42501: EXECUTE is refused: EXECUTE of a prepared statement is not enforced; use the extended protocol

-- case: set_role_refused (user alice)
-- in: SET ROLE postgres
-- refused 42501: SET ROLE is refused: Veil decides who you are

-- case: set_session_authorization_refused (user alice)
-- in: SET SESSION AUTHORIZATION bob
-- refused 42501: SET SESSION AUTHORIZATION is refused: Veil decides who you are

-- case: set_config_function_refused (user alice)
-- in: SELECT set_config('role', 'x', false)
-- refused 42501: permission denied for function set_config: only built-in functions that cannot read other tables or the server's files may be called

-- case: set_harmless_passes (user alice)
-- in: SET application_name = 'psql'
SET application_name = 'psql';

-- case: show_passes (user alice)
-- in: SHOW server_version
SHOW server_version;

-- case: begin_passes (user alice)
-- in: BEGIN
BEGIN;

-- case: multiple_statements_refused (user alice)
-- in: SELECT 1; SELECT 2
-- refused 42601: several statements in one request: send them one at a time

-- case: syntax_error (user alice)
-- in: SELEC email FROM sales.customers
-- refused 42601: syntax error: Invalid expression / Unexpected token (line 1, column 16)

-- case: insert_not_granted (user alice)
-- in: INSERT INTO sales.orders (id) VALUES (1)
-- refused 42501: permission denied: insert on sales.orders: no grant gives role analyst insert on sales.orders

-- case: ctas_into_sandbox_reads_masked (user carol)
-- in: CREATE TABLE sandbox.copy AS SELECT * FROM sales.customers
CREATE TABLE sandbox.copy AS SELECT * FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: insert_select_into_sandbox (user carol)
-- in: INSERT INTO sandbox.emails SELECT email FROM sales.customers
INSERT INTO sandbox.emails SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: update_with_filters (user carol)
-- in: UPDATE sales.orders SET amount = amount * 2 WHERE id = 1
UPDATE sales.orders SET amount = amount * 2 WHERE (region = NULL) AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' AND id = 1;

-- case: delete_with_filters (user carol)
-- in: DELETE FROM sales.orders WHERE amount > 100
DELETE FROM sales.orders WHERE (region = NULL) AND "ordered_at" >= CURRENT_TIMESTAMP - INTERVAL '90 DAY' AND amount > 100;

-- case: cursor_declared_for_query (user alice)
-- in: DECLARE "c1" CURSOR WITHOUT HOLD FOR SELECT email FROM sales.customers
DECLARE "c1" CURSOR WITHOUT HOLD FOR SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: explain_query (user alice)
-- in: EXPLAIN SELECT email FROM sales.customers
EXPLAIN SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: drop_not_granted (user alice)
-- in: DROP TABLE sales.customers
-- refused 42501: permission denied: ddl on sales.customers: no grant gives role analyst ddl on sales.customers

-- case: merge_refused (user carol)
-- in: MERGE INTO sales.orders o USING sales.customers c ON o.customer_id = c.id WHEN MATCHED THEN DELETE
-- refused 0A000: MERGE is not supported through the gateway; use INSERT, UPDATE and DELETE
