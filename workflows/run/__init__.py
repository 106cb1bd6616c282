"""What runs and where: the analysis registry, the one executor (stored, run here, or sent to FireWorks), the
FireWorks LaunchPad and queue jobs, and the batch that regenerates the shipped reference entries."""
