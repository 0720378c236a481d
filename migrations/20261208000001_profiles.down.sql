REVOKE DELETE ON join_requests FROM household_app;
DROP POLICY join_requests_withdrawn_by_the_requester ON join_requests;
DROP POLICY join_requests_of_the_requester ON join_requests;
ALTER POLICY household_isolation ON join_requests
    USING (household_id = (SELECT app.current_household_id())
           OR ((SELECT app.current_household_id()) IS NULL
               AND household_id = (SELECT app.redeeming_household())
               AND requester_sub = (SELECT app.current_user_sub())));
DROP TABLE profiles;
