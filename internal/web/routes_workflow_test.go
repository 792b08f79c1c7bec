package web

// workflowRouteRules are who may use the routes of workflowRoutes.
var workflowRouteRules = map[string]routeRule{}

func init() {
	for k, v := range workflowRouteRules {
		routeRules[k] = v
	}
}
