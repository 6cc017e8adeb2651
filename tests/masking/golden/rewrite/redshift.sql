-- case: star_masked (user alice)
-- in: SELECT * FROM sales.customers
SELECT * FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: star_exempt_role (user bob)
-- in: SELECT * FROM sales.customers
SELECT * FROM (SELECT "id", "name", "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: column_list (user alice)
-- in: SELECT id, email, ssn FROM sales.customers
SELECT id, email, ssn FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: alias_and_where (user alice)
-- in: SELECT c.email FROM sales.customers AS c WHERE c.ssn LIKE '1%'
SELECT c.email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c WHERE c.ssn LIKE '1%';

-- case: fully_qualified_column (user alice)
-- in: SELECT sales.customers.email FROM sales.customers
SELECT customers.email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: join_with_row_filter_and_retention (user alice)
-- in: SELECT c.name, SUM(o.amount) AS total FROM sales.customers c JOIN sales.orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY total DESC
SELECT c.name, SUM(o.amount) AS total FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c JOIN (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= GETDATE() - INTERVAL '90 DAY' OFFSET 0) AS o ON o.customer_id = c.id GROUP BY c.name ORDER BY total DESC;

-- case: row_filter_not_for_other_role (user bob)
-- in: SELECT * FROM sales.orders
SELECT * FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE "ordered_at" >= GETDATE() - INTERVAL '90 DAY' OFFSET 0) AS orders;

-- case: suggested_pii_masked (user alice)
-- in: SELECT ip, COUNT(*) FROM sales.web_events GROUP BY ip
SELECT ip, COUNT(*) FROM (SELECT "id", "customer_id", CAST(CASE WHEN "ip" IS NULL THEN NULL ELSE '***' END AS VARCHAR(MAX)) AS "ip", "event_time" FROM "sales"."web_events") AS web_events GROUP BY ip;

-- case: cte (user alice)
-- in: WITH x AS (SELECT * FROM sales.customers) SELECT email FROM x
WITH x AS (SELECT * FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) SELECT email FROM x;

-- case: derived_table (user alice)
-- in: SELECT t.email FROM (SELECT email FROM sales.customers) t
SELECT t.email FROM (SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) AS t;

-- case: scalar_subquery (user alice)
-- in: SELECT o.id, (SELECT c.email FROM sales.customers c WHERE c.id = o.customer_id) FROM sales.orders o
SELECT o.id, (SELECT c.email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c WHERE c.id = o.customer_id) FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= GETDATE() - INTERVAL '90 DAY' OFFSET 0) AS o;

-- case: in_subquery (user alice)
-- in: SELECT id FROM sales.orders WHERE customer_id IN (SELECT id FROM sales.customers WHERE email LIKE '%@example.com')
SELECT id FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= GETDATE() - INTERVAL '90 DAY' OFFSET 0) AS orders WHERE customer_id IN (SELECT id FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers WHERE email LIKE '%@example.com');

-- case: exists_subquery (user alice)
-- in: SELECT c.id FROM sales.customers c WHERE EXISTS (SELECT 1 FROM sales.orders o WHERE o.customer_id = c.id)
SELECT c.id FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS c WHERE EXISTS(SELECT 1 FROM (SELECT "id", "customer_id", "amount", "region", "ordered_at" FROM "sales"."orders" WHERE (region = 'EU') AND "ordered_at" >= GETDATE() - INTERVAL '90 DAY' OFFSET 0) AS o WHERE o.customer_id = c.id);

-- case: union (user alice)
-- in: SELECT email FROM sales.customers UNION SELECT contact FROM sales.customer_emails
SELECT email FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers UNION SELECT contact FROM (SELECT "id", "contact" FROM (SELECT id, email AS contact FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) AS _veil_view("id", "contact")) AS customer_emails;

-- case: window_function (user alice)
-- in: SELECT email, ROW_NUMBER() OVER (PARTITION BY region ORDER BY created_at) AS rn FROM sales.customers
SELECT email, ROW_NUMBER() OVER (PARTITION BY region ORDER BY created_at) AS rn FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers;

-- case: view_expanded (user alice)
-- in: SELECT * FROM sales.customer_emails
SELECT * FROM (SELECT "id", "contact" FROM (SELECT id, email AS contact FROM (SELECT "id", "name", CAST(CASE WHEN "email" IS NULL THEN NULL ELSE CASE WHEN POSITION('@' IN "email") > 0 THEN REGEXP_REPLACE("email", '^([^@]*@)+', '***@') ELSE '***' END END AS VARCHAR(MAX)) AS "email", CAST(CASE WHEN "ssn" IS NULL THEN NULL ELSE CASE WHEN LENGTH("ssn") <= 4 THEN REPEAT('*', LENGTH("ssn")) ELSE REPEAT('*', LENGTH("ssn") - 4) || SUBSTRING("ssn" FROM LENGTH("ssn") - 3) END END AS VARCHAR(MAX)) AS "ssn", "region", "created_at" FROM "sales"."customers") AS customers) AS _veil_view("id", "contact")) AS customer_emails;

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
SELECT relname FROM pg_catalog.pg_class;

-- case: pg_statistic_ext_filtered_on_postgres (user alice)
-- in: SELECT stxname FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '16384'
-- refused 42501: permission denied for relation pg_statistic_ext: it exposes data values or other sessions' statements

-- case: pg_statistic_ext_data_refused (user alice)
-- in: SELECT * FROM pg_statistic_ext_data
-- refused 42501: permission denied for relation pg_statistic_ext_data: it exposes data values or other sessions' statements

-- case: pg_stats_refused (user alice)
-- in: SELECT * FROM pg_stats
-- refused 42501: permission denied for relation pg_stats: it exposes data values or other sessions' statements

-- case: pg_stat_statements_refused (user alice)
-- in: SELECT query FROM pg_stat_statements
-- refused 42501: permission denied for relation pg_stat_statements: it exposes data values or other sessions' statements

-- case: insert_not_granted (user alice)
-- in: INSERT INTO sales.orders (id) VALUES (1)
-- refused 42501: permission denied: insert on sales.orders: no grant gives role analyst insert on sales.orders
