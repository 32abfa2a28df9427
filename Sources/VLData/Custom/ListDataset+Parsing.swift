// Row parsing for ``ListDataset``: CSV (with or without a header) and JSON arrays. A bad row
// becomes a `badRow` issue naming the file and line (or array index).

import Foundation

extension ListDataset {
    /// The columns a header may name, with accepted spellings.
    enum Column: String {
        case path, label, className, split, domain

        init?(header: String) {
            switch header.lowercased() {
            case "path", "image", "file", "filename", "impath": self = .path
            case "label", "target": self = .label
            case "class", "classname", "class_name", "name": self = .className
            case "split": self = .split
            case "domain": self = .domain
            default: return nil
            }
        }
    }

    func csvRows() throws -> (rows: [Row], issues: [DataIssue]) {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw DataError.malformed(file, detail: "expected UTF-8 CSV text")
        }
        var rows: [Row] = [], issues: [DataIssue] = [], columns: [Column]?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
        {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let location = "line \(offset + 1)"
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            guard let fields = csvFields(line) else {
                issues.append(DataIssue(.badRow, file: file, location: location, detail: "unclosed quote"))
                continue
            }
            if columns == nil, rows.isEmpty, issues.isEmpty,
                fields.contains(where: { Column(header: $0) == .path })
            {
                columns = try headerColumns(fields, location: location)
                continue
            }
            do {
                rows.append(try row(fields, columns: columns, location: location))
            } catch let issue as DataIssue {
                issues.append(issue)
            }
        }
        return (rows, issues)
    }

    private func headerColumns(_ fields: [String], location: String) throws -> [Column] {
        var columns: [Column] = []
        for field in fields {
            guard let column = Column(header: field) else {
                throw DataError.malformed(
                    file, detail: "\(location): unknown column '\(field)'; expected path, label, "
                        + "class, split, domain")
            }
            columns.append(column)
        }
        guard columns.contains(.label) || columns.contains(.className) else {
            throw DataError.malformed(
                file, detail: "\(location): the header needs a 'label' or 'class' column")
        }
        return columns
    }

    /// A row from CSV fields; without a header, `path,label|class` or `path,label,class`.
    private func row(_ fields: [String], columns: [Column]?, location: String) throws -> Row {
        let columns = try columns ?? implicitColumns(fields, location: location)
        guard fields.count == columns.count else {
            throw DataIssue(
                .badRow, file: file, location: location,
                detail: "expected \(columns.count) fields (\(columns.map(\.rawValue).joined(separator: ","))), "
                    + "found \(fields.count)")
        }
        var values: [Column: String] = [:]
        for (column, field) in zip(columns, fields) where !field.isEmpty { values[column] = field }
        return try row(values, location: location)
    }

    private func implicitColumns(_ fields: [String], location: String) throws -> [Column] {
        switch fields.count {
        case 2: return [.path, Int(fields[1]) != nil ? .label : .className]
        case 3: return [.path, .label, .className]
        default:
            throw DataIssue(
                .badRow, file: file, location: location,
                detail: "expected 'path,label', 'path,class' or 'path,label,class', "
                    + "found \(fields.count) fields")
        }
    }

    /// A row from named values, checking the label and split.
    func row(_ values: [Column: String], location: String) throws -> Row {
        guard let path = values[.path] else {
            throw DataIssue(.badRow, file: file, location: location, detail: "no image path")
        }
        var row = Row(
            path: path, className: values[.className], domain: values[.domain], location: location)
        if let text = values[.label] {
            guard let label = Int(text), label >= 0 else {
                throw DataIssue(
                    .badRow, file: file, location: location,
                    detail: "label '\(text)' is not a non-negative integer")
            }
            row.label = label
        }
        if let text = values[.split] {
            guard let split = ImageFolderDataset.splitFolders[text.lowercased()] else {
                throw DataIssue(
                    .badRow, file: file, location: location,
                    detail: "split '\(text)' is not train, val or test")
            }
            row.split = split
        }
        guard row.label != nil || row.className != nil else {
            throw DataIssue(.badRow, file: file, location: location, detail: "neither label nor class")
        }
        return row
    }

    /// Rows from a JSON array of objects (`{"path", "label", "class", "split", "domain"}`) or
    /// arrays (`[path, label|class]`, `[path, label, class]`).
    func jsonRows(_ value: Any) throws -> (rows: [Row], issues: [DataIssue]) {
        guard let array = value as? [Any] else {
            throw DataError.malformed(
                file, detail: "expected a JSON array of {\"path\", \"label\" or \"class\"} objects, "
                    + "or CoOp's {\"train\", \"val\", \"test\"} split object")
        }
        var rows: [Row] = [], issues: [DataIssue] = []
        for (index, element) in array.enumerated() {
            let location = "[\(index)]"
            do {
                rows.append(try row(jsonValues(element, location: location), location: location))
            } catch let issue as DataIssue {
                issues.append(issue)
            }
        }
        return (rows, issues)
    }

    private func jsonValues(_ element: Any, location: String) throws -> [Column: String] {
        var values: [Column: String] = [:]
        if let object = element as? [String: Any] {
            for (key, value) in object {
                guard let column = Column(header: key) else { continue }
                values[column] = jsonText(value)
            }
            return values
        }
        if let array = element as? [Any], (2...3).contains(array.count) {
            let texts = array.map(jsonText)
            let columns: [Column] = array.count == 3
                ? [.path, .label, .className]
                : [.path, ZhouSplitFile.integer(array[1]) != nil ? .label : .className]
            for (column, text) in zip(columns, texts) { values[column] = text }
            return values
        }
        throw DataIssue(
            .badRow, file: file, location: location,
            detail: "expected an object or a [path, label or class] array, found "
                + "\(String(describing: element).prefix(80))")
    }

    private func jsonText(_ value: Any) -> String? {
        if let string = value as? String { return string }
        if let label = ZhouSplitFile.integer(value) { return String(label) }
        return nil
    }
}

extension DataIssue: Error {}
