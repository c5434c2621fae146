// The built-in English→French corpus: grammatical sentence pairs from templates over `Lexicon`,
// deterministic from a seed, split into train/valid/test with no test sentence in training, and
// written on demand to a cache directory (never the current directory).
import Foundation
import WorkbenchCore
import WorkbenchData
import WorkbenchRun

public enum CorpusGenerator {
    /// One sentence pair, each side a token list (lower case, punctuation as tokens, French
    /// elisions as their own tokens such as `l'`).
    public struct Pair: Sendable, Equatable {
        public var en: [String], fr: [String]
        public var enText: String { Tokenizer.detokenize(en) }
        public var frText: String { Tokenizer.detokenize(fr) }
    }

    public struct Splits: Sendable {
        public var train: [Pair], valid: [Pair], test: [Pair]
    }

    /// Generates pairs until `count` distinct English sentences exist, in a seed-determined order.
    public static func generate(count: Int, seed: UInt64) -> [Pair] {
        var g = Generator(seed: seed ^ 0x5e92_5e92)
        var seen = Set<[String]>()
        var out: [Pair] = []
        out.reserveCapacity(count)
        var attempts = 0
        while out.count < count {
            attempts += 1
            precondition(attempts < count * 50, "CorpusGenerator: cannot find \(count) distinct sentences")
            let p = sample(&g)
            if seen.insert(p.en).inserted { out.append(p) }
        }
        return out
    }

    /// Generates `count` distinct pairs and splits them: the last `test` and the `valid` before
    /// them are held out. English sentences are distinct, so no test sentence is in training.
    public static func splits(count: Int, seed: UInt64, valid: Int = 1000, test: Int = 2000) -> Splits {
        precondition(valid >= 0 && test >= 0 && valid + test < count, "splits: valid \(valid) + test \(test) must be below count \(count)")
        let all = generate(count: count, seed: seed)
        let trainEnd = count - valid - test
        return Splits(train: Array(all[..<trainEnd]), valid: Array(all[trainEnd..<(trainEnd + valid)]),
                      test: Array(all[(trainEnd + valid)...]))
    }

    /// Where generated corpora are kept (`GeneratedData.root`). `--data-dir` bypasses it (a run
    /// then reads the corpus given).
    public static func cacheRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        GeneratedData.root(environment: environment)
    }

    /// The directory `en-fr-seed<seed>-n<count>` under `root`, holding train/valid/test.{en,fr};
    /// written only when missing, into a temporary directory renamed into place, so that runs
    /// started together neither collide nor read a half-written corpus. Returns the directory; a
    /// directory that cannot be written is a one-line error naming it and the reason.
    @discardableResult
    public static func writeIfMissing(root: String = cacheRoot(), count: Int, seed: UInt64,
                                      valid: Int = 1000, test: Int = 2000) throws -> String {
        let dir = "\(root)/en-fr-seed\(seed)-n\(count)"
        let fm = FileManager.default
        let names = ["train", "valid", "test"].flatMap { ["\($0).en", "\($0).fr"] }
        func complete() -> Bool { names.allSatisfy { fm.fileExists(atPath: dir + "/" + $0) } }
        if complete() { return dir }
        let temporary = "\(dir).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try makeDirectories(temporary)
            let s = splits(count: count, seed: seed, valid: valid, test: test)
            for (name, pairs) in [("train", s.train), ("valid", s.valid), ("test", s.test)] {
                try (pairs.map(\.enText).joined(separator: "\n") + "\n").write(toFile: "\(temporary)/\(name).en", atomically: false, encoding: .utf8)
                try (pairs.map(\.frText).joined(separator: "\n") + "\n").write(toFile: "\(temporary)/\(name).fr", atomically: false, encoding: .utf8)
            }
            if rename(temporary, dir) == 0 {
                print("wrote the generated corpus to \(dir)")
            } else if complete() {
                try? fm.removeItem(atPath: temporary)   // another run wrote it meanwhile
            } else {
                // A directory left incomplete by an older version.
                try? fm.removeItem(atPath: dir)
                if rename(temporary, dir) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            }
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw RunError.invalid("cannot write the generated corpus to \(dir): \(reason(error)) "
                                   + "(set WORKBENCH_DATA or XDG_CACHE_HOME to a writable directory, or give --data-dir)")
        }
        return dir
    }

    /// `mkdir -p`, failing with the system's reason ("Permission denied", "Read-only file system",
    /// "Not a directory"), which Foundation's createDirectory does not keep on Linux.
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }

    /// The operating system's reason for a failed file operation ("Permission denied").
    static func reason(_ error: Error) -> String {
        let e = error as NSError
        let posix = e.domain == NSPOSIXErrorDomain ? e : e.userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix, posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        return e.localizedDescription
    }

    // MARK: templates

    static func sample(_ g: inout Generator) -> Pair {
        let r = g.uniform()
        var p: Pair
        if r < 0.35 { p = weatherSentence(&g) } else if r < 0.8 { p = transitiveSentence(&g) } else { p = travelSentence(&g) }
        p.en.append(".")
        p.fr.append(".")
        p.fr = elide(p.fr)
        return p
    }

    static func pick<T>(_ a: [T], _ g: inout Generator) -> T { a[g.integer(below: a.count)] }

    /// "paris is sometimes cold in winter , but it is never snowy in april"
    static func weatherSentence(_ g: inout Generator) -> Pair {
        let place = pick(Lexicon.places, &g)
        var en = place.en, fr: [String]
        switch place.kind {
        case .city: fr = place.fr
        case .feminine: fr = ["la"] + place.fr
        case .masculine: fr = place.fr == ["new", "jersey"] ? place.fr : ["le"] + place.fr
        }
        let feminine = place.kind == .feminine || (place.kind == .city && place.fr == ["rome"])
        weatherClause(&en, &fr, feminine: feminine, &g)
        if g.bernoulli(0.5) {
            let but = g.bernoulli(0.5)
            en += [",", but ? "but" : "and", "it"]
            fr += [",", but ? "mais" : "et", "il"]
            weatherClause(&en, &fr, feminine: false, &g)
        }
        return Pair(en: en, fr: fr)
    }

    /// "is [often] cold in winter" after a subject already in `en` / `fr`.
    static func weatherClause(_ en: inout [String], _ fr: inout [String], feminine: Bool, _ g: inout Generator) {
        let w = pick(Lexicon.weather, &g)
        let adj = feminine ? w.frFeminine : w.frMasculine
        en.append("is")
        if g.bernoulli(0.6) {
            let f = pick(Lexicon.frequencies, &g)
            en.append(f.en)
            fr += f.en == "never" ? ["ne", "est", f.fr] : ["est", f.fr]
        } else {
            fr.append("est")
        }
        en.append(w.en)
        fr.append(adj)
        if g.bernoulli(0.5) {
            let s = pick(Lexicon.seasons, &g)
            if g.bernoulli(0.5) {
                en += ["in", s.en]; fr += [s.inFr, s.fr]
            } else {
                en += ["during", s.en]; fr += ["pendant", s.en == "spring" ? "le" : "l'", s.fr]
            }
        } else {
            let m = pick(Lexicon.months, &g)
            en += ["in", m.en]; fr += ["en", m.fr]
        }
    }

    /// "my sister does not want the little red car" / "we have three old books"
    static func transitiveSentence(_ g: inout Generator) -> Pair {
        let s = pick(Lexicon.subjects, &g)
        let v = pick(Lexicon.verbs, &g)
        let negated = g.bernoulli(0.25)
        var en = s.en, fr = s.fr
        if negated {
            en += [s.person.isThirdSingular ? "does" : "do", "not", v.en]
            fr += ["ne", v.fr[s.person.rawValue], "pas"]
        } else {
            en.append(s.person.isThirdSingular ? v.en3 : v.en)
            fr.append(v.fr[s.person.rawValue])
        }
        let (npEn, npFr) = nounPhrase(negated: negated, &g)
        return Pair(en: en + npEn, fr: fr + npFr)
    }

    /// A determiner, optional adjectives and a noun, agreeing in gender and number in French.
    static func nounPhrase(negated: Bool, _ g: inout Generator) -> ([String], [String]) {
        let n = pick(Lexicon.nouns, &g)
        let pre: Adjective? = g.bernoulli(0.35) ? pick(Lexicon.adjectives.filter(\.precedes), &g) : nil
        let post: Adjective? = g.bernoulli(0.5) ? pick(Lexicon.adjectives.filter { !$0.precedes }, &g) : nil
        enum Det { case the, a, my, your, number(Int) }
        let dets: [Det] = [.the, .a, .my, .your, .number(0)]
        var det = pick(dets, &g)
        if case .number = det { det = .number(g.integer(below: Lexicon.numbers.count)) }
        let plural: Bool
        switch det {
        case .a: plural = false
        case .number: plural = true
        default: plural = g.bernoulli(0.4)
        }
        let f = n.feminine
        // English
        var en: [String] = []
        let enFirst = pre?.en ?? post?.en ?? n.en
        switch det {
        case .the: en.append("the")
        case .a: en.append("aeiou".contains(enFirst.first!) ? "an" : "a")
        case .my: en.append("my")
        case .your: en.append("your")
        case .number(let k): en.append(Lexicon.numbers[k].en)
        }
        if let pre { en.append(pre.en) }
        if let post { en.append(post.en) }
        en.append(plural ? n.enPlural : n.en)
        // French: the word after the determiner decides elision and the mon/ma choice.
        let noun = plural ? n.frPlural : n.fr
        var preFr: String?
        if let pre {
            preFr = (!plural && !f && startsWithVowel(noun)) ? (pre.beforeVowel ?? pre.form(feminine: f, plural: plural))
                : pre.form(feminine: f, plural: plural)
        }
        let following = preFr ?? noun
        var fr: [String] = []
        switch det {
        case .the: fr.append(plural ? "les" : (f ? "la" : "le"))
        case .a: fr.append(negated ? "de" : (f ? "une" : "un"))
        case .my: fr.append(plural ? "mes" : (f && !startsWithVowel(following) ? "ma" : "mon"))
        case .your: fr.append(plural ? "vos" : "votre")
        case .number(let k): fr.append(Lexicon.numbers[k].fr)
        }
        if let preFr { fr.append(preFr) }
        fr.append(noun)
        if let post { fr.append(post.form(feminine: f, plural: plural)) }
        return (en, fr)
    }

    /// "she will go to france in may" / "we went to japan last june"
    static func travelSentence(_ g: inout Generator) -> Pair {
        let s = pick(Lexicon.subjects, &g)
        let place = pick(Lexicon.places, &g)
        let m = pick(Lexicon.months, &g)
        let prep: [String]
        switch place.kind {
        case .city: prep = ["à"]
        case .feminine: prep = ["en"]
        case .masculine: prep = startsWithVowel(place.fr[0]) ? ["en"] : ["au"]
        }
        var en = s.en, fr = s.fr
        if g.bernoulli(0.5) {
            en += ["will", "go", "to"] + place.en + ["in", m.en]
            fr += [Lexicon.willGo[s.person.rawValue]] + prep + place.fr + ["en", m.fr]
        } else {
            // Passé composé with être: the participle agrees with the subject.
            let participle = "allé" + (s.feminine ? "e" : "") + (s.person.isPlural ? "s" : "")
            en += ["went", "to"] + place.en + ["last", m.en]
            fr += [Lexicon.be[s.person.rawValue], participle] + prep + place.fr + ["en", m.fr, "dernier"]
        }
        return Pair(en: en, fr: fr)
    }

    /// French elision: je/le/la/ne/de before a vowel become j'/l'/l'/n'/d'.
    static func elide(_ tokens: [String]) -> [String] {
        var out = tokens
        let elided = ["je": "j'", "le": "l'", "la": "l'", "ne": "n'", "de": "d'"]
        for i in 0..<(out.count - 1) {
            if let e = elided[out[i]], startsWithVowel(out[i + 1]) { out[i] = e }
        }
        return out
    }
}
