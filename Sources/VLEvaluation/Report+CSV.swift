// CSV rendering of a ``Report`` in the paper layouts: few-shot (dataset, method, then mean and
// std per shot count), base-to-novel (dataset, method, base, novel, HM) and transfer
// (source, shots, method, then mean and std per target, average).

import Foundation

extension Report {
    /// One CSV document per table kind present, keyed `few-shot`, `base-to-novel`, `transfer`.
    public func csvDocuments() -> [(kind: String, text: String)] {
        var documents: [(kind: String, text: String)] = []
        if !fewShot.isEmpty { documents.append(("few-shot", fewShotCSV())) }
        if let baseToNovel { documents.append(("base-to-novel", baseToNovelCSV(baseToNovel))) }
        if !transfer.isEmpty { documents.append(("transfer", transferCSV())) }
        return documents
    }

    private func fewShotCSV() -> String {
        let shots = Array(Set(fewShot.flatMap(\.shots))).sorted()
        let columns = shots.flatMap { count -> [String] in
            let name = count == 0 ? "zero_shot" : "shots_\(count)"
            return [name + "_mean", name + "_std"]
        }
        var lines = [(["dataset", "method"] + columns).joined(separator: ",")]
        for table in fewShot {
            for row in table.rows {
                let cells = shots.flatMap { count -> [String] in
                    numbers(table.shots.firstIndex(of: count).flatMap { row.cells[$0] })
                }
                lines.append(([csvEscaped(table.dataset), csvEscaped(row.method)] + cells).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func baseToNovelCSV(_ table: BaseToNovelTable) -> String {
        var lines = ["dataset,method,base_mean,base_std,novel_mean,novel_std,hm"]
        for row in table.rows {
            for (method, cell) in zip(table.methods, row.cells) {
                guard let cell else { continue }
                let fields = [csvEscaped(row.dataset), csvEscaped(method)] + numbers(cell.base)
                    + numbers(cell.novel) + [number(cell.harmonicMean)]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func transferCSV() -> String {
        var documents: [String] = []
        for table in transfer {
            let columns = (["source"] + table.targets).flatMap { ["\($0)_mean", "\($0)_std"] }
            var lines = [(["source_dataset", "shots", "method"] + columns.map(csvEscaped) + ["average"])
                .joined(separator: ",")]
            for row in table.rows {
                let fields = [csvEscaped(table.sourceDataset), table.shots.map(String.init) ?? "",
                              csvEscaped(row.method)]
                    + numbers(row.source) + row.cells.flatMap(numbers) + [row.average.map(number) ?? ""]
                lines.append(fields.joined(separator: ","))
            }
            documents.append(lines.joined(separator: "\n"))
        }
        return documents.joined(separator: "\n\n") + "\n"
    }

    private func numbers(_ summary: Summary?) -> [String] {
        guard let summary else { return ["", ""] }
        return [number(summary.mean), summary.standardDeviation.map(number) ?? ""]
    }

    private func number(_ value: Double) -> String { String(format: "%.4f", value) }
}
