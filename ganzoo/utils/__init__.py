"""Small helpers shared by the CLI, checkpoints and notebooks."""
