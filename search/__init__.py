"""Full-text search over published stories, on a floor above `stories`.

The index is a table beside `stories_story`: `stories_storysearch` on PostgreSQL (tsvector) or
`stories_storysearch_fts` on SQLite (FTS5). It was created by stories/migrations/0006_search.py,
raw SQL that stays in `stories` because it is already applied on existing databases (and this
app has no migrations of its own); the tables keep their `stories_` names for the same reason.

- `search.query`: what a reader's query means (the parser both databases share);
- `search.backends`: the PostgreSQL and SQLite search SQL;
- `search.results`: one page of ranked results, matches marked;
- `search.index`: writing the index, story by story or all at once (`rebuild_search_index`);
- `search.signals`: receivers that keep it in step with every write, connected in ready();
- `search.suggest`: type-ahead suggestions by prefix (`search.Suggestion`), kept in step by
  `search.suggest_index`.
"""
