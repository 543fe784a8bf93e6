"""Jobs: one function per user-visible task, wiring read -> assess -> compose -> render -> file."""
