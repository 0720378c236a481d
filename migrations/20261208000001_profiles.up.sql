-- People have names: each person's display name and e-mail, from the identity provider's
-- `/userinfo` (fetched with the access token the server already holds, refreshed when a
-- day old), kept where only the person and those who share a household with them can read
-- it. The exchange, creating a household and redeeming a code write it. Run as the schema
-- owner.
--
-- Not a tenant table (no household_id): a profile belongs to a person, and the policies
-- below admit it to exactly
--   - the person themselves, in any context proven for their subject;
--   - the members of a household the person belongs to, in that household's context;
--   - the owners of a household the person asks to join, while the request is pending.
-- The household's rows in household_members and join_requests are read under their own
-- policies, so the household's isolation (and the owners-only rule on join requests)
-- applies to the profiles as well.
CREATE TABLE profiles (
    user_sub text PRIMARY KEY,
    name text,
    email text,
    refreshed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profiles_user_sub_length CHECK (char_length(user_sub) BETWEEN 1 AND 255),
    CONSTRAINT profiles_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT profiles_email_length CHECK (char_length(email) BETWEEN 1 AND 320)
);
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY own_profile ON profiles FOR ALL
    USING (user_sub = (SELECT app.current_user_sub()))
    WITH CHECK (user_sub = (SELECT app.current_user_sub()));
CREATE POLICY co_members_profiles ON profiles FOR SELECT
    USING (EXISTS (SELECT 1 FROM household_members m
                   WHERE m.household_id = (SELECT app.current_household_id())
                     AND m.user_sub = profiles.user_sub));
CREATE POLICY requesters_profiles ON profiles FOR SELECT
    USING (EXISTS (SELECT 1 FROM join_requests j
                   WHERE j.household_id = (SELECT app.current_household_id())
                     AND j.requester_sub = profiles.user_sub
                     AND j.status = 'pending'));
GRANT SELECT, INSERT, DELETE ON profiles TO household_app;
GRANT UPDATE (name, email, refreshed_at) ON profiles TO household_app;

-- A person's own data (`GET /api/me/export`, `DELETE /api/me`): in a context of their
-- subject alone (no household, no redemption), their join requests in every household,
-- and the withdrawal of those still pending.
ALTER POLICY household_isolation ON join_requests
    USING (household_id = (SELECT app.current_household_id())
           OR ((SELECT app.current_household_id()) IS NULL
               AND household_id = (SELECT app.redeeming_household())
               AND requester_sub = (SELECT app.current_user_sub()))
           OR ((SELECT app.current_household_id()) IS NULL
               AND (SELECT app.redeeming_household()) IS NULL
               AND requester_sub = (SELECT app.current_user_sub())));
CREATE POLICY join_requests_of_the_requester ON join_requests FOR SELECT
    USING ((SELECT app.current_household_id()) IS NULL
           AND (SELECT app.redeeming_household()) IS NULL
           AND requester_sub = (SELECT app.current_user_sub()));
CREATE POLICY join_requests_withdrawn_by_the_requester ON join_requests FOR DELETE
    USING ((SELECT app.current_household_id()) IS NULL
           AND (SELECT app.redeeming_household()) IS NULL
           AND requester_sub = (SELECT app.current_user_sub())
           AND status = 'pending');
GRANT DELETE ON join_requests TO household_app;
