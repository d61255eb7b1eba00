"""Teams app manifest template, icons, vendored schema and the package builder."""
