"""Partner Locator: find a qualified Milestone partner near you."""
