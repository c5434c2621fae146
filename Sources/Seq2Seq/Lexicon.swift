// The bilingual English–French lexicon of the generated corpus: subjects with person and gender,
// verbs with their present-tense conjugations, nouns with gender and plural, agreeing adjectives,
// places with the article and preposition French uses for them, seasons, months and numbers.

/// A grammatical person: the index into a conjugation table (je, tu, il/elle, nous, vous, ils/elles).
enum Person: Int { case first = 0, second, third, firstPlural, secondPlural, thirdPlural
    var isPlural: Bool { rawValue >= 3 }
    var isThirdSingular: Bool { self == .third }
}

struct Subject {
    let en: [String], fr: [String]
    let person: Person
    let feminine: Bool
}

struct Verb {
    /// Base form and third-person singular in English ("see", "sees").
    let en: String, en3: String
    /// Present tense, one form per `Person`.
    let fr: [String]
}

struct Noun {
    let en: String, enPlural: String
    let fr: String, frPlural: String
    let feminine: Bool
}

struct Adjective {
    let en: String
    /// Masculine singular, feminine singular, masculine plural, feminine plural.
    let fr: [String]
    /// Masculine singular form before a vowel (bel, vieil, nouvel), when French has one.
    let beforeVowel: String?
    /// Whether French puts it before the noun (petit, grand, vieux, nouveau, beau).
    let precedes: Bool

    func form(feminine: Bool, plural: Bool) -> String { fr[(plural ? 2 : 0) + (feminine ? 1 : 0)] }
}

/// A country, region or city: the article and preposition French uses depend on its kind.
struct Place {
    enum Kind { case city, feminine, masculine }
    let en: [String], fr: [String]
    let kind: Kind
}

struct Weather {
    let en: String
    let frMasculine: String, frFeminine: String
}

enum Lexicon {
    static let subjects: [Subject] = [
        Subject(en: ["i"], fr: ["je"], person: .first, feminine: false),
        Subject(en: ["you"], fr: ["vous"], person: .secondPlural, feminine: false),
        Subject(en: ["he"], fr: ["il"], person: .third, feminine: false),
        Subject(en: ["she"], fr: ["elle"], person: .third, feminine: true),
        Subject(en: ["we"], fr: ["nous"], person: .firstPlural, feminine: false),
        Subject(en: ["they"], fr: ["ils"], person: .thirdPlural, feminine: false),
        Subject(en: ["my", "brother"], fr: ["mon", "frère"], person: .third, feminine: false),
        Subject(en: ["my", "sister"], fr: ["ma", "sœur"], person: .third, feminine: true),
        Subject(en: ["the", "teacher"], fr: ["le", "professeur"], person: .third, feminine: false),
        Subject(en: ["the", "doctor"], fr: ["le", "médecin"], person: .third, feminine: false),
        Subject(en: ["paul"], fr: ["paul"], person: .third, feminine: false),
        Subject(en: ["marie"], fr: ["marie"], person: .third, feminine: true),
        Subject(en: ["the", "children"], fr: ["les", "enfants"], person: .thirdPlural, feminine: false),
        Subject(en: ["the", "girls"], fr: ["les", "filles"], person: .thirdPlural, feminine: true),
        Subject(en: ["my", "parents"], fr: ["mes", "parents"], person: .thirdPlural, feminine: false),
        Subject(en: ["our", "neighbours"], fr: ["nos", "voisins"], person: .thirdPlural, feminine: false),
    ]

    static let verbs: [Verb] = [
        Verb(en: "see", en3: "sees", fr: ["vois", "vois", "voit", "voyons", "voyez", "voient"]),
        Verb(en: "like", en3: "likes", fr: ["aime", "aimes", "aime", "aimons", "aimez", "aiment"]),
        Verb(en: "love", en3: "loves", fr: ["adore", "adores", "adore", "adorons", "adorez", "adorent"]),
        Verb(en: "want", en3: "wants", fr: ["veux", "veux", "veut", "voulons", "voulez", "veulent"]),
        Verb(en: "buy", en3: "buys", fr: ["achète", "achètes", "achète", "achetons", "achetez", "achètent"]),
        Verb(en: "have", en3: "has", fr: ["ai", "as", "a", "avons", "avez", "ont"]),
        Verb(en: "paint", en3: "paints", fr: ["peins", "peins", "peint", "peignons", "peignez", "peignent"]),
        Verb(en: "sell", en3: "sells", fr: ["vends", "vends", "vend", "vendons", "vendez", "vendent"]),
        Verb(en: "find", en3: "finds", fr: ["trouve", "trouves", "trouve", "trouvons", "trouvez", "trouvent"]),
        Verb(en: "clean", en3: "cleans", fr: ["nettoie", "nettoies", "nettoie", "nettoyons", "nettoyez", "nettoient"]),
        Verb(en: "take", en3: "takes", fr: ["prends", "prends", "prend", "prenons", "prenez", "prennent"]),
    ]

    static let nouns: [Noun] = [
        Noun(en: "car", enPlural: "cars", fr: "voiture", frPlural: "voitures", feminine: true),
        Noun(en: "house", enPlural: "houses", fr: "maison", frPlural: "maisons", feminine: true),
        Noun(en: "book", enPlural: "books", fr: "livre", frPlural: "livres", feminine: false),
        Noun(en: "dog", enPlural: "dogs", fr: "chien", frPlural: "chiens", feminine: false),
        Noun(en: "cat", enPlural: "cats", fr: "chat", frPlural: "chats", feminine: false),
        Noun(en: "bicycle", enPlural: "bicycles", fr: "vélo", frPlural: "vélos", feminine: false),
        Noun(en: "table", enPlural: "tables", fr: "table", frPlural: "tables", feminine: true),
        Noun(en: "chair", enPlural: "chairs", fr: "chaise", frPlural: "chaises", feminine: true),
        Noun(en: "apple", enPlural: "apples", fr: "pomme", frPlural: "pommes", feminine: true),
        Noun(en: "pear", enPlural: "pears", fr: "poire", frPlural: "poires", feminine: true),
        Noun(en: "lemon", enPlural: "lemons", fr: "citron", frPlural: "citrons", feminine: false),
        Noun(en: "horse", enPlural: "horses", fr: "cheval", frPlural: "chevaux", feminine: false),
        Noun(en: "bird", enPlural: "birds", fr: "oiseau", frPlural: "oiseaux", feminine: false),
        Noun(en: "truck", enPlural: "trucks", fr: "camion", frPlural: "camions", feminine: false),
        Noun(en: "shirt", enPlural: "shirts", fr: "chemise", frPlural: "chemises", feminine: true),
        Noun(en: "hat", enPlural: "hats", fr: "chapeau", frPlural: "chapeaux", feminine: false),
        Noun(en: "ball", enPlural: "balls", fr: "balle", frPlural: "balles", feminine: true),
        Noun(en: "boat", enPlural: "boats", fr: "bateau", frPlural: "bateaux", feminine: false),
        Noun(en: "lamp", enPlural: "lamps", fr: "lampe", frPlural: "lampes", feminine: true),
        Noun(en: "key", enPlural: "keys", fr: "clé", frPlural: "clés", feminine: true),
        Noun(en: "window", enPlural: "windows", fr: "fenêtre", frPlural: "fenêtres", feminine: true),
        Noun(en: "orange", enPlural: "oranges", fr: "orange", frPlural: "oranges", feminine: true),
        Noun(en: "umbrella", enPlural: "umbrellas", fr: "parapluie", frPlural: "parapluies", feminine: false),
        Noun(en: "animal", enPlural: "animals", fr: "animal", frPlural: "animaux", feminine: false),
    ]

    static let adjectives: [Adjective] = [
        Adjective(en: "little", fr: ["petit", "petite", "petits", "petites"], beforeVowel: nil, precedes: true),
        Adjective(en: "big", fr: ["grand", "grande", "grands", "grandes"], beforeVowel: nil, precedes: true),
        Adjective(en: "old", fr: ["vieux", "vieille", "vieux", "vieilles"], beforeVowel: "vieil", precedes: true),
        Adjective(en: "new", fr: ["nouveau", "nouvelle", "nouveaux", "nouvelles"], beforeVowel: "nouvel", precedes: true),
        Adjective(en: "beautiful", fr: ["beau", "belle", "beaux", "belles"], beforeVowel: "bel", precedes: true),
        Adjective(en: "red", fr: ["rouge", "rouge", "rouges", "rouges"], beforeVowel: nil, precedes: false),
        Adjective(en: "green", fr: ["vert", "verte", "verts", "vertes"], beforeVowel: nil, precedes: false),
        Adjective(en: "blue", fr: ["bleu", "bleue", "bleus", "bleues"], beforeVowel: nil, precedes: false),
        Adjective(en: "black", fr: ["noir", "noire", "noirs", "noires"], beforeVowel: nil, precedes: false),
        Adjective(en: "white", fr: ["blanc", "blanche", "blancs", "blanches"], beforeVowel: nil, precedes: false),
        Adjective(en: "yellow", fr: ["jaune", "jaune", "jaunes", "jaunes"], beforeVowel: nil, precedes: false),
        Adjective(en: "shiny", fr: ["brillant", "brillante", "brillants", "brillantes"], beforeVowel: nil, precedes: false),
        Adjective(en: "heavy", fr: ["lourd", "lourde", "lourds", "lourdes"], beforeVowel: nil, precedes: false),
        Adjective(en: "expensive", fr: ["cher", "chère", "chers", "chères"], beforeVowel: nil, precedes: false),
    ]

    static let places: [Place] = [
        Place(en: ["paris"], fr: ["paris"], kind: .city),
        Place(en: ["london"], fr: ["londres"], kind: .city),
        Place(en: ["rome"], fr: ["rome"], kind: .city),
        Place(en: ["france"], fr: ["france"], kind: .feminine),
        Place(en: ["china"], fr: ["chine"], kind: .feminine),
        Place(en: ["india"], fr: ["inde"], kind: .feminine),
        Place(en: ["spain"], fr: ["espagne"], kind: .feminine),
        Place(en: ["italy"], fr: ["italie"], kind: .feminine),
        Place(en: ["germany"], fr: ["allemagne"], kind: .feminine),
        Place(en: ["california"], fr: ["californie"], kind: .feminine),
        Place(en: ["canada"], fr: ["canada"], kind: .masculine),
        Place(en: ["brazil"], fr: ["brésil"], kind: .masculine),
        Place(en: ["japan"], fr: ["japon"], kind: .masculine),
        Place(en: ["mexico"], fr: ["mexique"], kind: .masculine),
        Place(en: ["portugal"], fr: ["portugal"], kind: .masculine),
        Place(en: ["new", "jersey"], fr: ["new", "jersey"], kind: .masculine),
    ]

    static let weather: [Weather] = [
        Weather(en: "quiet", frMasculine: "calme", frFeminine: "calme"),
        Weather(en: "busy", frMasculine: "occupé", frFeminine: "occupée"),
        Weather(en: "beautiful", frMasculine: "beau", frFeminine: "belle"),
        Weather(en: "wonderful", frMasculine: "merveilleux", frFeminine: "merveilleuse"),
        Weather(en: "pleasant", frMasculine: "agréable", frFeminine: "agréable"),
        Weather(en: "nice", frMasculine: "joli", frFeminine: "jolie"),
        Weather(en: "cold", frMasculine: "froid", frFeminine: "froide"),
        Weather(en: "warm", frMasculine: "chaud", frFeminine: "chaude"),
        Weather(en: "rainy", frMasculine: "pluvieux", frFeminine: "pluvieuse"),
        Weather(en: "snowy", frMasculine: "enneigé", frFeminine: "enneigée"),
        Weather(en: "wet", frMasculine: "humide", frFeminine: "humide"),
        Weather(en: "dry", frMasculine: "sec", frFeminine: "sèche"),
        Weather(en: "mild", frMasculine: "doux", frFeminine: "douce"),
        Weather(en: "freezing", frMasculine: "glacial", frFeminine: "glaciale"),
    ]

    /// Frequency adverbs; "never" makes a French negation (ne ... jamais).
    static let frequencies: [(en: String, fr: String)] = [
        ("sometimes", "parfois"), ("usually", "généralement"), ("often", "souvent"),
        ("always", "toujours"), ("never", "jamais"),
    ]

    /// Seasons: English name, French name, French preposition for "in" (en hiver, au printemps).
    static let seasons: [(en: String, fr: String, inFr: String)] = [
        ("winter", "hiver", "en"), ("spring", "printemps", "au"), ("summer", "été", "en"), ("autumn", "automne", "en"),
    ]

    static let months: [(en: String, fr: String)] = [
        ("january", "janvier"), ("february", "février"), ("march", "mars"), ("april", "avril"),
        ("may", "mai"), ("june", "juin"), ("july", "juillet"), ("august", "août"),
        ("september", "septembre"), ("october", "octobre"), ("november", "novembre"), ("december", "décembre"),
    ]

    /// Two to ten (plural determiners).
    static let numbers: [(en: String, fr: String)] = [
        ("two", "deux"), ("three", "trois"), ("four", "quatre"), ("five", "cinq"), ("six", "six"),
        ("seven", "sept"), ("eight", "huit"), ("nine", "neuf"), ("ten", "dix"),
    ]

    /// Future of aller, one form per `Person`.
    static let willGo = ["irai", "iras", "ira", "irons", "irez", "iront"]
    /// Present of être, one form per `Person` (passé composé of aller).
    static let be = ["suis", "es", "est", "sommes", "êtes", "sont"]
}

/// Whether a French word starts with a vowel sound for elision (no aspirated h in the lexicon).
func startsWithVowel(_ word: String) -> Bool {
    guard let c = word.first else { return false }
    return "aeiouyéèêàâîôûh".contains(c)
}
