// One line of RFC 4180 CSV: comma-separated fields, double quotes around fields that hold
// commas or quotes, `""` for a literal quote. Records spanning lines are not supported.

import Foundation

/// The fields of `line`, or `nil` when a quoted field is not closed.
func csvFields(_ line: Substring) -> [String]? {
    var fields: [String] = [], field = "", quoted = false, atFieldStart = true
    var iterator = line.makeIterator()
    while let character = iterator.next() {
        if quoted {
            if character == "\"" {
                var lookahead = iterator
                if lookahead.next() == "\"" {
                    field.append("\"")
                    iterator = lookahead
                } else {
                    quoted = false
                }
            } else {
                field.append(character)
            }
        } else if character == "\"" && atFieldStart {
            quoted = true
            atFieldStart = false
        } else if character == "," {
            fields.append(field.trimmingCharacters(in: .whitespaces))
            field = ""
            atFieldStart = true
        } else {
            field.append(character)
            if character != " " { atFieldStart = false }
        }
    }
    guard !quoted else { return nil }
    fields.append(field.trimmingCharacters(in: .whitespaces))
    return fields
}
