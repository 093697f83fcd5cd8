"""The rules of the domain. Services read and write through the session, never commit."""
