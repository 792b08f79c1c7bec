-- The clinical-safety-officer role (the trust's Clinical Safety Officer
-- under DCB0129/DCB0160), who alone signs off segmentation that blocks
-- critical flows: the two tables that name roles accept it.

-- +goose Up

ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
	CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor',
		'clinical-safety-officer'));
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
	CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor',
		'clinical-safety-officer'));

-- +goose Down

DELETE FROM user_roles WHERE role = 'clinical-safety-officer';
DELETE FROM api_tokens WHERE role = 'clinical-safety-officer';
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
	CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor'));
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
	CHECK (role IN ('admin', 'security', 'clinical-engineering', 'network', 'auditor'));
