import Foundation

extension ReportPlan {
    /// Decides the receipts and replies of accepted messages, the same on every run with the same
    /// seed: which fail (and with which carrier code), which arrive twice, who replies and who
    /// asks to unsubscribe.
    func reports(for messages: [RecordedMessage]) -> CarrierReports {
        var reports = CarrierReports()
        // The carrier reports when the receipt is due, a few seconds more for some.
        let delay = EmulatorCore.seconds(self.delay)
        for message in messages {
            let roll = ReportPusher.unit(message.bizId + "\u{1}" + message.phone, seed: seed)
            let success = roll >= failRate(template: message.templateCode)
            let failure = ReportPlan.carrierCodes[Int(roll * 1000) % ReportPlan.carrierCodes.count]
            let code = success ? "DELIVERED" : failure.0
            reports.decided.append((message.bizId, message.phone, success, code))
            let reported = EmulatorCore.chinaTime(Date().addingTimeInterval(delay + (roll * 7919).truncatingRemainder(dividingBy: 1) * 40))
            reports.receipts.append(["phone_number": message.phone, "send_time": message.sentAt, "report_time": reported, "success": success ? "true" : "false",
                                     "err_code": code, "err_msg": success ? "用户接收成功" : failure.1, "sms_size": "1", "biz_id": message.bizId,
                                     "out_id": message.outId ?? ""])
            reports.repeated.append(ReportPusher.unit(message.bizId + message.phone + "dup", seed: seed) < duplicateRate)
        }
        // Some recipients answer; half of them to unsubscribe.
        for message in messages where ReportPusher.unit(message.bizId + message.phone + "reply", seed: seed) < replyRate {
            let unsubscribe = ReportPusher.unit(message.phone + "unsubscribe", seed: seed) < 0.5
            let words = unsubscribe ? ["R", "退订", "ＴＤ", " td ", "拒收"] : ["好的", "谢谢", "收到"]
            let content = words[Int(ReportPusher.unit(message.phone + "word", seed: seed) * Double(words.count))]
            reports.replies.append(["phone_number": message.phone, "content": content, "send_time": message.sentAt, "dest_code": "1",
                                    "sequence_id": String(Int(ReportPusher.unit(message.phone + "sequence", seed: seed) * 1_000_000)),
                                    "sign_name": message.signName])
            if unsubscribe { reports.unsubscribes.append((message.phone, message.signName)) }
        }
        return reports
    }
}
