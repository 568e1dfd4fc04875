package auth_test

import (
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
)

// TestAccountRules: the rules of Can on accounts and tokens, beyond the
// route matrix (internal/api/policy_test.go): whose tokens, whose
// accounts, and the operator's first admin.
func TestAccountRules(t *testing.T) {
	const home, other = "home", "other"
	actor := func(role auth.Role) auth.Actor {
		return auth.Actor{UserID: string(role) + "-id", OrgID: home, Role: role}
	}
	account := func(org string, role auth.Role) auth.Resource {
		return auth.Resource{OrgID: org, Account: &auth.Account{UserID: org + "-" + string(role), Role: role}}
	}
	self := func(role auth.Role) auth.Resource {
		return auth.Resource{OrgID: home, Account: &auth.Account{UserID: string(role) + "-id", Role: role}}
	}
	firstAdmin := func(org string, none bool) auth.Resource {
		r := account(org, auth.Admin)
		r.NoAdmin = none
		return r
	}
	for _, tt := range []struct {
		name  string
		actor auth.Actor
		act   auth.Action
		r     auth.Resource
		want  bool
	}{
		{"admin: own token", actor(auth.Admin), auth.ManageTokens, self(auth.Admin), true},
		{"admin: own integration account's token", actor(auth.Admin), auth.ManageTokens, account(home, auth.Integration), true},
		{"admin: a colleague's token", actor(auth.Admin), auth.ManageTokens, account(home, auth.Coordinator), false},
		{"admin: another admin's token", actor(auth.Admin), auth.ManageTokens, account(home, auth.Admin), false},
		{"admin: another organisation's integration token", actor(auth.Admin), auth.ManageTokens, account(other, auth.Integration), false},
		{"coordinator: own token", actor(auth.Coordinator), auth.ManageTokens, self(auth.Coordinator), true},
		{"coordinator: integration token", actor(auth.Coordinator), auth.ManageTokens, account(home, auth.Integration), false},
		{"partner: own token", actor(auth.Partner), auth.ManageTokens, self(auth.Partner), true},
		{"integration: own token", actor(auth.Integration), auth.ManageTokens, self(auth.Integration), false},
		{"operator: own token", actor(auth.Operator), auth.ManageTokens, self(auth.Operator), true},
		{"operator: an admin's token", actor(auth.Operator), auth.ManageTokens, account(other, auth.Admin), false},
		{"admin: own organisation's coordinator", actor(auth.Admin), auth.ManageUsers, account(home, auth.Coordinator), true},
		{"admin: own organisation's admin", actor(auth.Admin), auth.ManageUsers, account(home, auth.Admin), true},
		{"admin: an operator", actor(auth.Admin), auth.ManageUsers, account(home, auth.Operator), false},
		{"admin: another organisation's account", actor(auth.Admin), auth.ManageUsers, account(other, auth.Intake), false},
		{"admin: creates organisations", actor(auth.Admin), auth.ManageOrgs, auth.Resource{OrgID: home}, false},
		{"operator: creates organisations", actor(auth.Operator), auth.ManageOrgs, auth.Resource{OrgID: home}, true},
		{"operator: first admin", actor(auth.Operator), auth.ManageUsers, firstAdmin(other, true), true},
		{"operator: an admin where one is", actor(auth.Operator), auth.ManageUsers, firstAdmin(other, false), false},
		{"operator: a first coordinator", actor(auth.Operator), auth.ManageUsers, auth.Resource{OrgID: other, Account: &auth.Account{Role: auth.Coordinator}, NoAdmin: true}, false},
		{"operator: any account", actor(auth.Operator), auth.ManageUsers, auth.Resource{OrgID: home}, false},
		{"operator: organisation events", actor(auth.Operator), auth.ReadOrgAudit, auth.Resource{}, true},
		{"admin: organisation events", actor(auth.Admin), auth.ReadOrgAudit, auth.Resource{}, false},
	} {
		if got := auth.Can(tt.actor, tt.act, tt.r); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
	// The operator and the integration account read no case content,
	// whatever the organisation.
	for _, role := range []auth.Role{auth.Operator, auth.Integration} {
		for _, act := range []auth.Action{auth.ListReports, auth.ReadReport, auth.RevealSealed, auth.ListCases, auth.ReadCase,
			auth.ListReferrals, auth.ReadReferral, auth.ReadAudit, auth.ReadStats, auth.ReadLinks, auth.ReadUsers, auth.RunScreen} {
			for _, org := range []string{home, other, ""} {
				r := auth.Resource{OrgID: org, ReferredTo: []string{home}, Shared: []string{auth.SharedIdentity}}
				if auth.Can(actor(role), act, r) {
					t.Errorf("%s may %s in %q", role, act, org)
				}
			}
		}
	}
}
