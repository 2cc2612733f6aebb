#!/usr/bin/env python3
"""Writes Tests/AliyunSMSTests/Fixtures/account-*.json: GetSmsSign and GetSmsTemplate answers built
with Alibaba Cloud's official Python SDK models (alibabacloud-dysmsapi20170525, pinned in
scripts/aliyun-vectors/requirements.txt) and serialised by their to_map(), so the fixtures have exactly
the SDK's field names, nesting and types (SignStatus an int, TemplateStatus/TemplateType strings,
VariableAttribute a JSON string). Run: python3 scripts/aliyun-account-fixtures.py [--python PATH]."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "AliyunSMSTests" / "Fixtures"


def generate():
    from alibabacloud_dysmsapi20170525 import models as m

    def registration(operator, status, reasons=()):
        return m.GetSmsSignResponseBodySignIspRegisterDetailList(
            operator_code=operator, register_status=status, operator_complete_time="2026-11-02 10:00:00",
            register_status_reasons=[m.GetSmsSignResponseBodySignIspRegisterDetailListRegisterStatusReasons(
                reason_code=code, reason_desc_list=list(words)) for code, words in reasons])

    answers = {
        "account-sign-approved": m.GetSmsSignResponseBody(
            code="OK", message="OK", request_id="F655A8D5-B967-440B-8683-DAD6FF8DE990", sign_name="云杉商城",
            sign_code="SIGN_100000077042023_1711454182000_r3DDD", sign_status=1, sign_tag="2", sign_usage="SELF_USE",
            third_party=False, apply_scene="http://www.example.com", create_date="2026-11-01 09:00:00",
            order_id="2004417****", qualification_id=85630, register_result=1,
            audit_info=m.GetSmsSignResponseBodyAuditInfo(audit_date="2026-11-01 18:00:00", reject_info=""),
            file_url_list=["123456.jpg"],
            sign_isp_register_detail_list=[registration("mobile", 3), registration("unicom", 3), registration("telecom", 3)]),
        "account-sign-rejected": m.GetSmsSignResponseBody(
            code="OK", message="OK", request_id="0B5B5C6A-1C24-4E0A-9C34-6F0F5D1AB0C1", sign_name="云杉特卖",
            sign_status=2, sign_tag="2",
            audit_info=m.GetSmsSignResponseBodyAuditInfo(audit_date="2026-11-03 11:00:00", reject_info="签名与企业名称不符"),
            sign_isp_register_detail_list=[]),
        "account-sign-registering": m.GetSmsSignResponseBody(
            code="OK", message="OK", request_id="3C0C7E52-5C1E-4D2F-9E25-2B1D0B1C6A11", sign_name="云杉会员",
            sign_status=1, audit_info=m.GetSmsSignResponseBodyAuditInfo(audit_date="2026-11-04 12:00:00"),
            sign_isp_register_detail_list=[
                registration("mobile", 3), registration("unicom", -1),
                registration("telecom", 2, [("NO_SEND_RECORD", ["签名超过6个月无发送记录"])])]),
        "account-template-approved": m.GetSmsTemplateResponseBody(
            code="OK", message="OK", request_id="0A974B78-02BF-4C79-ADF3-90CFBA1B55B1", template_code="SMS_100001",
            template_name="验证码", template_content="您的验证码为${code}，5分钟内有效。", template_status="1",
            template_type="0", template_tag=2, related_sign_name="云杉商城", create_date="2026-11-01 09:00:00",
            variable_attribute='{"code":"numberCaptcha"}', order_id="2003019****", remark="login", apply_scene="http://www.example.com",
            audit_info=m.GetSmsTemplateResponseBodyAuditInfo(audit_date="2026-11-01 18:00:00", reject_info=""),
            sign_list=m.GetSmsTemplateResponseBodySignList(sign_list=["云杉商城"]),
            file_url_list=m.GetSmsTemplateResponseBodyFileUrlList(file_url=["123.jpg"])),
        "account-template-rejected": m.GetSmsTemplateResponseBody(
            code="OK", message="OK", request_id="5D8C2B5E-7E0F-4B3C-8A34-1C9E2A0F7E22", template_code="SMS_100002",
            template_name="双十一", template_content="双十一全场${discount}折，点击${link}，拒收请回复R",
            template_status="2", template_type="2", template_tag=2,
            variable_attribute='{"discount":"other_number","link":"link_param"}',
            audit_info=m.GetSmsTemplateResponseBodyAuditInfo(audit_date="2026-11-02 10:00:00", reject_info="营销模板需包含退订方式")),
        "account-template-missing": m.GetSmsTemplateResponseBody(
            code="isv.SMS_TEMPLATE_ILLEGAL", message="模板不合法(不存在或被拉黑)",
            request_id="7E1A2B3C-4D5E-4F60-8172-93A4B5C6D7E8"),
    }
    for name, model in answers.items():
        text = json.dumps(model.to_map(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (OUT / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote Fixtures/{name}.json")


if __name__ == "__main__":
    if "--generate" in sys.argv:
        generate()
    else:
        sys.path.insert(0, str(ROOT / "scripts"))
        from sdk_venv import python_with_sdk
        subprocess.run([python_with_sdk(), __file__, "--generate"], check=True)
