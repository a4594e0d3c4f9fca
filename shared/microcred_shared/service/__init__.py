"""What every service process is made of: runtime (clients, relay), HTTP conventions."""
