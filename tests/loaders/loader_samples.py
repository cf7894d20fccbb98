"""Small source files written by the tests themselves (never the shared datasets)."""

from __future__ import annotations

from pathlib import Path

from loaders.movielens import ML100K_GENRES

ML_LATEST = {
    "movies.csv": (
        "movieId,title,genres\r\n"
        "1,Toy Story (1995),Adventure|Animation|Children\r\n"
        '2,"American President, The (1995)",Comedy|Drama|Romance\r\n'
        "3,Unknown Film,(no genres listed)\r\n"
    ),
    "ratings.csv": (
        "userId,movieId,rating,timestamp\r\n"
        "1,1,4.0,964982703\r\n"
        "1,2,3.5,964981247\r\n"
        "2,1,5.0,964982224\r\n"
        "2,3,0.5,964983815\r\n"
    ),
    "tags.csv": (
        "userId,movieId,tag,timestamp\r\n"
        "1,1,Pixar,1445714994\r\n"
        "2,1,pixar,1445714996\r\n"
        '2,2,"politics, comedy",1445715000\r\n'
    ),
    "links.csv": "movieId,imdbId,tmdbId\r\n1,0114709,862\r\n2,0112346,9087\r\n3,0000001,\r\n",
}

ML_1M = {
    "movies.dat": "1::Toy Story (1995)::Animation|Children's|Comedy\n"
    "2::Amélie (2001)::Comedy|Romance\n",
    "ratings.dat": "1::1::5::978300760\n1::2::3::978302109\n2::2::4::978301968\n",
    "users.dat": "1::F::1::10::48067\n2::M::56::16::70072\n",
}


def _item(movie: int, title: str, genres: set[int]) -> str:
    flags = ["1" if i in genres else "0" for i in range(19)]
    return f"{movie}|{title}|01-Jan-1995||http://imdb|" + "|".join(flags) + "\n"


ML_100K = {
    "u.data": "1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t878542960\n",
    "u.item": _item(1, "Toy Story (1995)", {3, 4, 5}) + _item(2, "Café au lait (1993)", set()),
    "u.user": "1|24|M|technician|85711\n2|53|F|other|94043\n",
    "u.genre": "".join(f"{name}|{i}\n" for i, name in enumerate(ML100K_GENRES)),
}

FILMTRUST = {
    "ratings.txt": "1 1 2\n1 2 4\n2 1 3.5\n2 1 1.5\n3 2 0.5\n",
    "trust.txt": "1 2 1\n2 1 1\n4 1 1\n",
}

LASTFM = {
    "artists.dat": "id\tname\turl\tpictureURL\n1\tMALICE MIZER\thttp://a\thttp://p\n"
    "2\tBjörk\thttp://b\thttp://q\n",
    "user_artists.dat": "userID\tartistID\tweight\n2\t1\t13883\n2\t2\t11690\n3\t2\t10\n",
    "user_friends.dat": "userID\tfriendID\n2\t3\n3\t2\n2\t4\n4\t2\n",
    "tags.dat": "tagID\ttagValue\n1\tMetal\n2\tcafé\n",
    "user_taggedartists.dat": "userID\tartistID\ttagID\tday\tmonth\tyear\n"
    "2\t1\t1\t1\t4\t2009\n3\t1\t1\t1\t4\t2009\n2\t2\t2\t1\t4\t2009\n2\t99\t1\t1\t4\t2009\n",
}

ENCODINGS = {
    "movies.dat": "latin-1",
    "u.item": "latin-1",
    "u.user": "latin-1",
    "tags.dat": "latin-1",
}


def write(directory: Path, files: dict[str, str]) -> Path:
    """Write ``files`` into ``directory`` (latin-1 where the real format is), return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode(ENCODINGS.get(name, "utf-8"))
        (directory / name).write_bytes(data)
    return directory
