"""Domain operations of the review service, one module per job; routes stay thin."""
