"""Privacy of children's data: a student's export, erasure of a student who left, retention of logs."""
