"""Quoted phrases in PostgreSQL search: the adjacent word pairs a phrase holds, as the
search entries store them (library_word_pairs), so that an index finds the entries
where the phrase's words meet before the exact phrase is checked."""

from django.db import connection

from practice_library.search import cache


def tsquery_lexeme(text: str) -> str:
    """A lexeme as tsquery syntax writes it: quoted, so that its space is kept."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def phrase_pairs(phrases: list[str]) -> dict[str, tuple[list[str], bool]]:
    """{phrase: (its adjacent word pairs as search documents hold them, whether they say
    all the phrase does)} for the phrases that have pairs. The pairs say all when the
    phrase is two words side by side (stop words around them aside)."""
    if not phrases:
        return {}

    def compute() -> dict[str, tuple[list[str], bool]]:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT phrase, library_word_pairs(vector),
                       ARRAY(SELECT unnest(positions) FROM unnest(vector) ORDER BY 1)
                FROM unnest(%s::text[]) AS phrase,
                     LATERAL to_tsvector('english', phrase) AS vector
                """,
                [phrases],
            )
            return {
                phrase: (sorted(pairs), len(positions) == 2)
                for phrase, pairs, positions in cursor.fetchall()
                if pairs
            }

    return cache.phrase_pairs_cached(phrases, compute)
