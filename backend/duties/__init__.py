"""The one deadline engine: something owed by someone by a time, 催办 then 督办."""
