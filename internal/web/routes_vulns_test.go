package web

// vulnRouteRules are who may use the routes of vulnRoutes.
var vulnRouteRules = map[string]routeRule{}

func init() {
	for k, v := range vulnRouteRules {
		routeRules[k] = v
	}
}
