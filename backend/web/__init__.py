"""What every controller shares: the app context, authentication and error responses."""
