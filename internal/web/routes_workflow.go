package web

// workflowRoutes are the routes of the patch workflow (approved versions,
// patch plans) and NHS cyber alerts, as pages and under /api/v1.
func (s *Server) workflowRoutes() []route {
	return nil
}
