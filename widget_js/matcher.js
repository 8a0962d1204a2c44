// matcher
