"""Publishing helpers with no database: merge-tag dialects and traffic allocation."""
