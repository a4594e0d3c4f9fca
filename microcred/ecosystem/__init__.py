"""Running the whole ecosystem locally: the stack, the four service processes, the demo."""
