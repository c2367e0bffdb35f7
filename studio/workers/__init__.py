"""Long-running loops over the service layer: drafting jobs now, webhook deliveries next."""
