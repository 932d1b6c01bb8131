"""ICD-10-CM: code-set releases, candidate generation and guideline logic."""
