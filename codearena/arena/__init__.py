"""The arena app: visitors compare two anonymous models side by side, run their code live and vote."""
