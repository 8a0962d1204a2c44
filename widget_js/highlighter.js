// highlighter
