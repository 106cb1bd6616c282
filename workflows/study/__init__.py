"""A screening study from one YAML file: the validated specification, its tasks, the runner and the cost model."""
