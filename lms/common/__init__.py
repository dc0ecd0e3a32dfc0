"""Cross-cutting helpers shared by every domain package."""
