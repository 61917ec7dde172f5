"""Pure badge rules shared by the service (to enforce) and the console (to preview). No Django here."""
