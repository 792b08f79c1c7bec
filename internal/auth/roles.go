package auth

import (
	"fmt"
	"slices"
)

// Role is what a user or token may do. The set is closed.
type Role string

// The roles, as an NHS trust's teams divide the work.
const (
	RoleAdmin               Role = "admin"                // everything, users and tokens included
	RoleSecurity            Role = "security"             // the cyber security team
	RoleClinicalEngineering Role = "clinical-engineering" // EBME: the device register
	RoleNetwork             Role = "network"              // the network team
	RoleAuditor             Role = "auditor"              // read-only, the audit log included
	// RoleClinicalSafety is the trust's Clinical Safety Officer
	// (DCB0129/DCB0160): signs off segmentation changes that block flows
	// of life-sustaining or diagnostic devices.
	RoleClinicalSafety Role = "clinical-safety-officer"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleSecurity, RoleClinicalEngineering, RoleNetwork, RoleAuditor,
	RoleClinicalSafety}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("auth: unknown role %q (want one of admin, security, "+
		"clinical-engineering, network, auditor, clinical-safety-officer)", s)
}

// Permission is one kind of action.
type Permission string

// The permissions.
const (
	PermDevicesRead    Permission = "devices.read"    // see devices, attributes, flows, links
	PermDevicesEdit    Permission = "devices.edit"    // set location, owner, criticality, notes, tags
	PermIngest         Permission = "ingest"          // upload captures
	PermRegisterImport Permission = "register.import" // import an asset register
	PermExport         Permission = "export"          // CSV and report exports
	PermAuditRead      Permission = "audit.read"      // read and verify the audit log
	PermUsersManage    Permission = "users.manage"    // add, change and remove users
	PermTokensManage   Permission = "tokens.manage"   // create and revoke API tokens
	PermVulnsRead      Permission = "vulns.read"      // see advisories, findings, patch plans and alerts
	PermVulnsReview    Permission = "vulns.review"    // rule on findings (affected, not affected, ...)
	PermFeedsImport    Permission = "feeds.import"    // import advisories, KEV, EPSS, SBOMs, VEX
	PermPatchesManage  Permission = "patches.manage"  // approve versions, move patch plans
	PermAlertsManage   Permission = "alerts.manage"   // record NHS cyber alerts and move them
	PermSegmentRead    Permission = "segment.read"    // see zones, violations and policies; simulate
	PermSegmentEdit    Permission = "segment.edit"    // save or import a policy, learn one
	PermSegmentExport  Permission = "segment.export"  // download firewall rules, log-only included
	// PermClinicalSafety signs off a policy that blocks flows of
	// life-sustaining or diagnostic devices (a DCB0160 hazard-log entry).
	// Only the Clinical Safety Officer holds it, not even an admin: the
	// admin grants the role, a clinician signs.
	PermClinicalSafety Permission = "clinical-safety-officer"
)

// grants is the permission matrix. A role or permission not listed is
// denied: deny by default.
var grants = map[Role][]Permission{
	RoleAdmin: {PermDevicesRead, PermDevicesEdit, PermIngest, PermRegisterImport, PermExport,
		PermAuditRead, PermUsersManage, PermTokensManage, PermVulnsRead, PermVulnsReview,
		PermFeedsImport, PermPatchesManage, PermAlertsManage,
		PermSegmentRead, PermSegmentEdit, PermSegmentExport},
	RoleSecurity: {PermDevicesRead, PermDevicesEdit, PermIngest, PermExport, PermAuditRead,
		PermVulnsRead, PermVulnsReview, PermFeedsImport, PermAlertsManage,
		PermSegmentRead, PermSegmentEdit},
	RoleClinicalEngineering: {PermDevicesRead, PermDevicesEdit, PermRegisterImport, PermExport,
		PermVulnsRead, PermVulnsReview, PermPatchesManage, PermSegmentRead},
	RoleNetwork: {PermDevicesRead, PermDevicesEdit, PermIngest, PermExport, PermVulnsRead,
		PermSegmentRead, PermSegmentEdit, PermSegmentExport},
	RoleAuditor: {PermDevicesRead, PermExport, PermAuditRead, PermVulnsRead, PermSegmentRead},
	RoleClinicalSafety: {PermDevicesRead, PermExport, PermVulnsRead, PermSegmentRead,
		PermClinicalSafety},
}

// Allowed reports whether role r has permission p.
func Allowed(r Role, p Permission) bool {
	return slices.Contains(grants[r], p)
}

// Principal is who acts: a user, or an API token bound to a role. Sites,
// when not empty, limits it to the devices of those sites.
type Principal struct {
	Name  string
	Role  Role
	Sites []string
}

// Can reports whether pr may do p to something at site ("" when the thing
// belongs to no site, or to no one site: only an unlimited principal may
// then act on it).
func (pr Principal) Can(p Permission, site string) bool {
	if !Allowed(pr.Role, p) {
		return false
	}
	if len(pr.Sites) == 0 {
		return true
	}
	return site != "" && slices.Contains(pr.Sites, site)
}
