"""The demo's policy: the users of its query log, their roles, and what each may see.

Written as the YAML an admin would keep in git (PRODUCT.md, version 1), so
``veil policy export`` after ``veil demo`` shows a realistic example to start from.
"""

DEMO_POLICY = """\
# Veil demo policy: `veil policy explain --user alice --column crm.customers.email`
version: 1
roles:
  analyst: {}
  senior_analyst: {inherits: [analyst]}
  hr: {}
  privacy_officer: {}
  etl: {}
users:
  alice: {roles: [analyst], attributes: {region: EU}}
  erin: {roles: [analyst], attributes: {region: APAC}}
  looker_service: {roles: [analyst], attributes: {region: NA}}
  bob: {roles: [senior_analyst], attributes: {region: NA}}
  carol: {roles: [hr]}
  dave: {roles: [privacy_officer]}
  dbt_runner: {roles: [etl]}
  etl_nightly: {roles: [etl]}
grants:
  - {role: analyst, resource: "sales.*", actions: [select]}
  - {role: analyst, resource: "crm.*", actions: [select]}
  - {role: analyst, resource: "analytics.*", actions: [select]}
  - {role: analyst, resource: "marketing.*", actions: [select]}
  - {role: analyst, resource: "support.*", actions: [select]}
  - {role: analyst, resource: "web.*", actions: [select]}
  - {role: analyst, resource: "sales.payments.card_number", actions: [select], effect: deny}
  - {role: senior_analyst, resource: "sandbox.*", actions: [select, insert, ddl]}
  - {role: hr, resource: "hr.*", actions: [select, update]}
  - {role: privacy_officer, resource: "*", actions: [select]}
  - {role: etl, resource: "*", actions: [select, insert, update, delete, ddl]}
masks:
  - {tag: pii.email_address, method: email, exempt: [privacy_officer, etl]}
  - {tag: pii.us_ssn, method: partial, show_last: 4, exempt: [etl]}
  - {tag: pii.phone_number, method: partial, show_last: 2, exempt: [privacy_officer, etl]}
  - {tag: pii.date_of_birth, method: date_trunc, unit: year, exempt: [hr, etl]}
  - {tag: pii.ip_address, method: hash, exempt: [etl]}
  - {column: "hr.employees.salary", method: bucket, size: 10000, exempt: [hr, etl]}
  - {tag: pii, method: redact, exempt: [privacy_officer, etl]}
row_filters:
  - {table: "sales.orders", role: analyst, where: "region = current_user_attr('region')"}
retention:
  - {table: "web.events", column: event_at, keep: 2y, action: hide}
defaults: {pii_mask: redact, unknown_columns: deny, mask_suggested: true}
"""
