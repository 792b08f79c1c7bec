package web

// vulnRoutes are the routes of vulnerabilities: findings by priority, the
// review queue and rulings, advisories, feeds import and VEX export, as
// pages and under /api/v1.
func (s *Server) vulnRoutes() []route {
	return nil
}
