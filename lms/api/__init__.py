"""The JSON API v1 (seed 000's contract), bearer tokens and the OpenAPI document."""
