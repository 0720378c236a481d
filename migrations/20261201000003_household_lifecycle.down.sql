DROP TABLE audit_events;
DROP TABLE join_requests;
DROP TABLE invitations;

DROP TRIGGER household_members_last_owner ON household_members;
DROP FUNCTION app.keep_an_owner();
REVOKE INSERT, DELETE ON household_members FROM household_app;
REVOKE UPDATE (role) ON household_members FROM household_app;
DROP POLICY members_removed_by_owners_or_themselves ON household_members;
DROP POLICY members_changed_by_owners ON household_members;
DROP POLICY members_added_by_owners ON household_members;

REVOKE INSERT ON households FROM household_app;
DROP POLICY household_creation ON households;

DROP FUNCTION app.founding_household();
DROP FUNCTION app.redeeming_code_hash();
DROP FUNCTION app.redeeming_household();

ALTER TABLE households
    DROP CONSTRAINT households_name_length,
    DROP CONSTRAINT households_name_required,
    ADD CONSTRAINT households_name_length CHECK (char_length(name) BETWEEN 1 AND 200);
